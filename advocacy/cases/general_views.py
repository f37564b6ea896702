"""一般相談 screens: record a contact that names no one, list them, link one to its case."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from advocacy.cases import selectors, services
from advocacy.cases.forms import GeneralConsultationForm, GeneralConsultationLinkForm
from advocacy.cases.guards import StaffOnlyMixin, denied

PAGE_SIZE = 25


class GeneralConsultationListView(StaffOnlyMixin, View):
    def get(self, request):
        rows = selectors.general_consultations_for(user=request.user)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "cases/general_list.html", {"page": page})


class GeneralConsultationCreateView(StaffOnlyMixin, View):
    template_name = "cases/general_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": GeneralConsultationForm()})

    def post(self, request):
        form = GeneralConsultationForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=422)
        services.general_consultation_record(
            actor=request.user,
            consultation=form.save(commit=False),
            main_concerns=form.cleaned_data["main_concerns"],
        )
        messages.success(request, _("一般相談を記録しました。"))
        return redirect("general:index")


class GeneralConsultationLinkView(StaffOnlyMixin, View):
    """Link one 一般相談 to the case it became (by case number)."""

    template_name = "cases/general_link.html"

    def _load(self, request, consultation_id):
        consultation = selectors.general_consultation_get_for(
            user=request.user, consultation_id=consultation_id
        )
        if consultation is None:
            raise denied(request, "general", consultation_id)
        return consultation

    def get(self, request, consultation_id):
        consultation = self._load(request, consultation_id)
        form = GeneralConsultationLinkForm()
        return render(request, self.template_name, {"form": form, "row": consultation})

    def post(self, request, consultation_id):
        consultation = self._load(request, consultation_id)
        form = GeneralConsultationLinkForm(request.POST)
        if form.is_valid():
            try:
                case = services.general_consultation_link(
                    actor=request.user,
                    consultation=consultation,
                    case_number=form.cleaned_data["case_number"],
                )
            except ValidationError as error:
                form.add_error("case_number", error)
            else:
                messages.success(
                    request, _("ケース %(number)s に結び付けました。") % {"number": case.number}
                )
                return redirect("general:index")
        context = {"form": form, "row": consultation}
        return render(request, self.template_name, context, status=422)
