"""Case screens: thin views that validate, call one service or selector, and render."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from advocacy.access.roles import supervises
from advocacy.access.selectors import (
    VIEW_FINANCES,
    VIEW_HEALTH,
    can_change,
    can_reopen,
    permissions_on,
)
from advocacy.audit.selectors import audit_events_for_object
from advocacy.cases import hooks, presenters, selectors, services
from advocacy.cases.forms import (
    DOCUMENT_TYPES,
    RECORD_FORMS,
    CaseFilterForm,
    CaseIntakeForm,
    CaseSearchForm,
    ConsultationForm,
    EraseForm,
    PersonFinancesForm,
    PersonForm,
    PersonHealthForm,
)
from advocacy.cases.guards import StaffOnlyMixin, load_case
from advocacy.cases.models import Case, Document, Person
from advocacy.crypto.erased import ERASED
from advocacy.urlshape import url_former

HISTORY_SIZE = 20
PERSON_FIELDS = PersonForm.Meta.fields  # what PersonForm._meta.fields holds
RECORD_MODELS = {kind: model for kind, (model, _form) in RECORD_FORMS.items()}


def _with_detail_urls(cases: list[Case]) -> None:
    """Give each listed case the URL of its page (reversed once for the list)."""
    detail_url = url_former(lambda case_id: reverse("cases:detail", args=[case_id]))
    for case in cases:
        case.detail_url = detail_url(case.pk)  # type: ignore[attr-defined]  # for the rows tag


class CaseListView(StaffOnlyMixin, View):
    def get(self, request):
        form = CaseFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        chosen = {
            "stage": filters.get("stage") or "",
            "area_id": filters["area"].pk if filters.get("area") else None,
            "mine": bool(filters.get("mine")),
            "overdue": bool(filters.get("overdue")),
        }
        page = selectors.case_list_page(
            user=request.user,
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
            **chosen,
        )
        count, more = selectors.case_list_count(user=request.user, **chosen)
        services.case_list_record(actor=request.user, count=len(page.rows), request=request)
        _with_detail_urls(page.rows)
        query = request.GET.copy()
        for name in ("after", "before", "page"):
            query.pop(name, None)
        return render(
            request,
            "cases/list.html",
            {
                "form": form,
                "page": page,
                "rows": page.rows,
                "count": count,
                "more": more,
                "query": query.urlencode(),
            },
        )


class CaseSearchView(StaffOnlyMixin, View):
    """Search by POST: names, kana and birth dates never travel in a URL.

    A query string is ignored, not searched: it would already be in the server log and the
    browser history. The results page is not stored by the browser either.
    """

    def get(self, request):
        return self._render(request, CaseSearchForm(), None)

    def post(self, request):
        form = CaseSearchForm(request.POST)
        results = None
        if form.is_valid():
            results = selectors.case_search(user=request.user, **form.cleaned_data)
            services.case_search_record(actor=request.user, count=len(results), request=request)
            _with_detail_urls(results)
        return self._render(request, form, results)

    def _render(self, request, form, results):
        response = render(request, "cases/search.html", {"form": form, "results": results})
        response["Cache-Control"] = "no-store"
        return response


def _intake_arguments(consultation_form, case_form) -> dict:
    """The intake's case facts, as both intake services take them."""
    return {
        "main_concerns": consultation_form.cleaned_data["main_concerns"],
        **{
            name: case_form.cleaned_data[name]
            for name in (
                "urgency",
                "consent",
                "consent_on",
                "feedback_consent",
                "feedback_consent_on",
                "purpose",
            )
        },
    }


class CaseCreateView(StaffOnlyMixin, View):
    template_name = "cases/new.html"

    def get(self, request):
        return self._render(
            request,
            PersonForm(prefix="person"),
            ConsultationForm(prefix="consultation"),
            CaseIntakeForm(prefix="case"),
            duplicates=None,
        )

    def post(self, request):
        person_form = PersonForm(request.POST, prefix="person")
        consultation_form = ConsultationForm(request.POST, prefix="consultation")
        case_form = CaseIntakeForm(request.POST, prefix="case")
        if request.POST.get("for_case"):
            return self._for_known_person(request, person_form, consultation_form, case_form)
        forms_valid = all(
            [person_form.is_valid(), consultation_form.is_valid(), case_form.is_valid()]
        )
        if not forms_valid:
            return self._render(request, person_form, consultation_form, case_form, None, 422)
        # The forms are valid, so 受付の確認 is ticked: only now is the person looked up.
        if not case_form.cleaned_data["confirm_duplicate"]:
            warning = services.duplicate_warning(
                actor=request.user,
                kana=person_form.cleaned_data["kana"],
                birth_date=person_form.cleaned_data["birth_date"],
                history_url=request.build_absolute_uri(reverse("audit:organisation_events")),
                request=request,
            )
            if warning:
                return self._render(
                    request, person_form, consultation_form, case_form, warning, 422
                )
        try:
            case = services.case_intake(
                actor=request.user,
                person=person_form.save(commit=False),
                consultation=consultation_form.save(commit=False),
                categories=person_form.cleaned_data["categories"],
                **_intake_arguments(consultation_form, case_form),
            )
        except ValidationError as error:
            person_form.add_error(None, error)
            return self._render(request, person_form, consultation_form, case_form, None, 422)
        messages.success(request, _("ケース %(number)s を登録しました。") % {"number": case.number})
        return redirect("cases:detail", case_id=case.pk)

    def _for_known_person(self, request, person_form, consultation_form, case_form):
        """The duplicate warning's "this person": the consultation goes to the known person."""
        known_case = load_case(request, request.POST["for_case"])
        if not (consultation_form.is_valid() and case_form.is_valid()):
            return self._render(request, person_form, consultation_form, case_form, None, 422)
        try:
            case = services.case_intake_for_person(
                actor=request.user,
                known_case=known_case,
                consultation=consultation_form.save(commit=False),
                **_intake_arguments(consultation_form, case_form),
            )
        except ValidationError as error:
            consultation_form.add_error(None, error)
            return self._render(request, person_form, consultation_form, case_form, None, 422)
        except PermissionDenied as error:
            # The person is another organisation's (a shared case): say so, keep the input.
            consultation_form.add_error(None, str(error))
            return self._render(request, person_form, consultation_form, case_form, None, 422)
        messages.success(
            request,
            _("ケース %(number)s に相談を登録しました（登録済みの本人）。")
            % {"number": case.number},
        )
        return redirect("cases:detail", case_id=case.pk)

    def _render(self, request, person_form, consultation_form, case_form, duplicates, status=200):
        return render(
            request,
            self.template_name,
            {
                "person_form": person_form,
                "consultation_form": consultation_form,
                "case_form": case_form,
                "duplicates": duplicates,
                "duplicate_limit": bool(duplicates and duplicates.limited),
            },
            status=status,
        )


class CaseDetailView(StaffOnlyMixin, View):
    def get(self, request, case_id):
        case = load_case(request, case_id)
        held = permissions_on(user=request.user, case=case)
        person = case.person
        person_rows = presenters.rows(person, PersonForm)
        read = presenters.encrypted_names(Person, PERSON_FIELDS)
        finance_rows = health_rows = None
        if VIEW_FINANCES in held:
            finance_rows = presenters.rows(person, PersonFinancesForm)
            read += presenters.encrypted_names(Person, PersonFinancesForm._meta.fields)
        if VIEW_HEALTH in held:
            health_rows = presenters.rows(person, PersonHealthForm)
            read += presenters.encrypted_names(Person, PersonHealthForm._meta.fields)
        # One statement says which kinds of record the case holds and which panels have
        # anything to show.
        holds = selectors.case_holds(
            case=case, models=[*RECORD_MODELS.values(), *hooks.case_page_panel_models()]
        )
        timeline = selectors.case_timeline(case=case, kinds=RECORD_MODELS, held=holds)
        for entry in timeline:
            form_class = RECORD_FORMS[entry.kind][1]
            entry.rows = presenters.rows(entry.record, form_class)
            read += presenters.encrypted_names(type(entry.record), form_class._meta.fields)
        is_supervisor = supervises(request.user, case)
        services.case_view_record(actor=request.user, case=case, fields_read=read, request=request)
        return render(
            request,
            "cases/detail.html",
            {
                "case": case,
                "person_rows": person_rows,
                "finance_rows": finance_rows,
                "health_rows": health_rows,
                "timeline": timeline,
                "record_kinds": [
                    (kind, model._meta.verbose_name) for kind, model in RECORD_MODELS.items()
                ],
                "can_change": can_change(user=request.user, case=case, held=held),
                "can_reopen": can_reopen(user=request.user, case=case, held=held),
                "is_supervisor": is_supervisor,
                "workflows": hooks.case_page_sections(user=request.user, case=case),
                "panels": hooks.case_page_panels(user=request.user, case=case, held=holds),
                "access_history": (
                    audit_events_for_object(obj=case)[:HISTORY_SIZE] if is_supervisor else None
                ),
            },
        )


class PersonEditView(StaffOnlyMixin, View):
    template_name = "cases/person_form.html"

    def _forms(self, request, case, data=None):
        held = permissions_on(user=request.user, case=case)
        forms = {"person": PersonForm(data, instance=case.person, prefix="person")}
        if VIEW_FINANCES in held:
            forms["finances"] = PersonFinancesForm(data, instance=case.person, prefix="finances")
        if VIEW_HEALTH in held:
            forms["health"] = PersonHealthForm(data, instance=case.person, prefix="health")
        return forms

    def get(self, request, case_id):
        case = load_case(request, case_id)
        if not can_change(user=request.user, case=case):
            raise PermissionDenied
        forms = self._forms(request, case)
        return render(request, self.template_name, {"case": case, "forms": forms.values()})

    def post(self, request, case_id):
        case = load_case(request, case_id)
        forms = self._forms(request, case, request.POST)
        if not all(form.is_valid() for form in forms.values()):
            return render(
                request, self.template_name, {"case": case, "forms": forms.values()}, status=422
            )
        # All forms edit the same row: the service applies what changed, then saves once.
        values = {
            name: form.cleaned_data[name]
            for form in forms.values()
            for name in form._meta.fields
            if name in form.changed_data and name != "categories"
        }
        try:
            services.person_update(
                actor=request.user,
                case=case,
                values=values,
                categories=forms["person"].cleaned_data["categories"],
            )
        except ValidationError as error:
            forms["person"].add_error(None, error)
            return render(
                request, self.template_name, {"case": case, "forms": forms.values()}, status=422
            )
        messages.success(request, _("本人情報を更新しました。"))
        return redirect("cases:detail", case_id=case.pk)


class RecordEditView(StaffOnlyMixin, View):
    """Add or edit one record of a case; the kind in the URL picks model and form."""

    template_name = "cases/record_form.html"

    def _setup(self, request, case_id, kind, record_id):
        if kind not in RECORD_FORMS:
            raise Http404
        case = load_case(request, case_id)
        if not can_change(user=request.user, case=case):
            raise PermissionDenied
        model, form_class = RECORD_FORMS[kind]
        record = None
        if record_id is not None:
            record = selectors.record_get(case=case, model=model, record_id=record_id)
            if record is None:
                raise Http404
        return case, model, form_class, record

    def get(self, request, case_id, kind, record_id=None):
        case, model, form_class, record = self._setup(request, case_id, kind, record_id)
        form = form_class(instance=record)
        return self._render(request, case, model, form)

    def post(self, request, case_id, kind, record_id=None):
        case, model, form_class, record = self._setup(request, case_id, kind, record_id)
        form = form_class(request.POST, request.FILES, instance=record)
        if not form.is_valid():
            return self._render(request, case, model, form, status=422)
        m2m = {
            name: form.cleaned_data[name]
            for name in form._meta.fields
            if model._meta.get_field(name).many_to_many
        }
        try:
            services.record_save(
                actor=request.user, case=case, record=form.save(commit=False), m2m=m2m
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(request, case, model, form, status=422)
        messages.success(
            request, _("%(kind)s を保存しました。") % {"kind": model._meta.verbose_name}
        )
        return redirect(reverse("cases:detail", kwargs={"case_id": case.pk}))

    def _render(self, request, case, model, form, status=200):
        return render(
            request,
            self.template_name,
            {"case": case, "form": form, "title": model._meta.verbose_name},
            status=status,
        )


class PersonEraseView(StaffOnlyMixin, View):
    """Erase the person of a case for good, after typing the case number to confirm."""

    template_name = "cases/erase.html"

    def _case(self, request, case_id) -> Case:
        case = load_case(request, case_id)
        if not supervises(request.user, case) or case.person.erased_at:
            raise PermissionDenied
        return case

    def get(self, request, case_id):
        case = self._case(request, case_id)
        form = EraseForm(case_number=case.number)
        return render(request, self.template_name, {"case": case, "form": form})

    def post(self, request, case_id):
        case = self._case(request, case_id)
        form = EraseForm(request.POST, case_number=case.number)
        if not form.is_valid():
            return render(request, self.template_name, {"case": case, "form": form}, status=422)
        services.person_erase(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        messages.success(request, _("本人の情報を消去しました。"))
        return redirect("cases:detail", case_id=case.pk)


class DocumentDownloadView(StaffOnlyMixin, View):
    """Send an attached document back, decrypted; each download is an audited export."""

    def get(self, request, case_id, record_id):
        case = load_case(request, case_id)
        document = selectors.record_get(case=case, model=Document, record_id=record_id)
        if document is None or document.content is ERASED:
            raise Http404
        services.document_export_record(actor=request.user, case=case, request=request)
        extension = DOCUMENT_TYPES.get(document.content_type, "bin")
        response = HttpResponse(
            base64.b64decode(document.content), content_type=document.content_type
        )
        # A neutral file name: the title may name the person and would land in download folders.
        response["Content-Disposition"] = (
            f'attachment; filename="document-{document.pk}.{extension}"'
        )
        response["Cache-Control"] = "no-store"
        return response
