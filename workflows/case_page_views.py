"""The case page's workflow actions: start the consultation, report a guardian-support event.

These call services that name the flows (``consultation.start``, ``events``), so they sit
above the flow modules, apart from the task screens in ``views`` that the flows use.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from advocacy.cases.guards import load_case

from . import events, selectors
from . import forms as step_forms
from .consultation.start import consultation_start
from .views import StaffMixin, add_errors

MSG_STARTED = _("手続きを開始しました。")
MSG_EVENT = _("受け付けました。")


class StartConsultationView(StaffMixin, View):
    """Start the consultation process of a case (the button on the case page)."""

    def post(self, request, case_id):
        case = load_case(request, case_id)
        try:
            consultation_start(actor=request.user, case=case)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, MSG_STARTED)
        return redirect("cases:detail", case.pk)


EVENT_FORMS = {
    "contact": (selectors.GUARDIAN_EVENTS["contact"], step_forms.ConfirmForm),
    "fee_ruling": (selectors.GUARDIAN_EVENTS["fee_ruling"], step_forms.FeeRulingForm),
    "change": (selectors.GUARDIAN_EVENTS["change"], step_forms.ConfirmForm),
    "closing": (selectors.GUARDIAN_EVENTS["closing"], step_forms.ClosingRequestForm),
}


class GuardianEventView(StaffMixin, View):
    """Report an event of guardian support; the process makes the task that follows."""

    template_name = "workflows/event.html"

    def _setup(self, request, case_id, event):
        # The case first: a case the user may not see is a refusal whatever the event says.
        case = load_case(request, case_id)
        if event not in EVENT_FORMS:
            raise Http404
        return case, *EVENT_FORMS[event]

    def get(self, request, case_id, event):
        case, title, form_class = self._setup(request, case_id, event)
        return render(
            request, self.template_name, {"case": case, "title": title, "form": form_class()}
        )

    def post(self, request, case_id, event):
        case, title, form_class = self._setup(request, case_id, event)
        form = form_class(request.POST)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "confirmed"}
            try:
                events.guardian_event_report(actor=request.user, case=case, event=event, **values)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, MSG_EVENT)
                return redirect("cases:detail", case.pk)
        return render(request, self.template_name, {"case": case, "title": title, "form": form})
