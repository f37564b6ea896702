"""The case page's workflow actions: start the consultation, report a guardian-support event,
reopen a closed case.

These call services that name the flows (``consultation.start``, ``events``), so they sit
above the flow modules, apart from the task screens in ``views`` that the flows use.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from advocacy.cases.forms import ConsultationForm
from advocacy.cases.guards import load_case

from . import events, selectors
from . import forms as step_forms
from .consultation.start import consultation_start
from .reopen import case_reopen_for_help
from .views import StaffMixin, add_errors

MSG_STARTED = _("手続きを開始しました。")
MSG_EVENT = _("受け付けました。")
MSG_REOPENED = _("ケースを再開しました。相談は継続として記録しました。")


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
    "support_end": (selectors.GUARDIAN_EVENTS["support_end"], step_forms.SupportEndForm),
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


class ReopenView(StaffMixin, View):
    """Reopen a closed case with the consultation that asks for help again."""

    template_name = "workflows/reopen.html"

    def _render(self, request, case, form, status=200):
        return render(request, self.template_name, {"case": case, "form": form}, status=status)

    def get(self, request, case_id):
        case = load_case(request, case_id)
        form = ConsultationForm(initial={"consulted_on": timezone.localdate()})
        return self._render(request, case, form)

    def post(self, request, case_id):
        case = load_case(request, case_id)
        form = ConsultationForm(request.POST)
        if not form.is_valid():
            return self._render(request, case, form, status=422)
        try:
            case_reopen_for_help(
                actor=request.user,
                case=case,
                consultation=form.save(commit=False),
                main_concerns=form.cleaned_data["main_concerns"],
            )
        except ValidationError as error:
            add_errors(form, error)
            return self._render(request, case, form, status=422)
        messages.success(request, MSG_REOPENED)
        return redirect("cases:detail", case.pk)
