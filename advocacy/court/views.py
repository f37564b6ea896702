"""The court's side on screen: the case page's panel, the guardian's deadlines in the
portal, the staff's plan and submissions, the supervisor's list of flags. Thin views:
validate, call one service or selector, render or redirect."""

from __future__ import annotations

import dataclasses
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from advocacy.access.roles import RoleRequiredMixin, supervises
from advocacy.access.selectors import can_change
from advocacy.accounts.models import User
from advocacy.accounts.roles import Role, has_role
from advocacy.cases.guards import StaffOnlyMixin, denied, load_case
from advocacy.cases.hooks import CasePanel
from advocacy.cases.models import Case, Subsidy
from advocacy.cases.services import case_view_record
from advocacy.portal.hooks import HomeSection
from workflows.coordination.flows import CoordinationFlow
from workflows.hooks import TaskSection

from . import schedule, selectors, services
from .forms import (
    AssetChangeForm,
    ConfirmForm,
    FeeRulingForm,
    PlanForm,
    SubmissionForm,
    SubsidyForm,
)
from .models import Obligation, SubsidyAssessment
from .papers.catalogue import NOTICE, PAPERS, paper_allowed, papers_status

PAGE_SIZE = 50


def case_panel(*, user: User, case: Case) -> CasePanel | None:
    """The case page's panel: the papers, the reporting plan, the obligations, the flags.

    Only once the case has a petition (or a flag): before that the court has no part in it.
    """
    flags = list(selectors.flags_of(case=case))
    subsidies = subsidy_rows(case=case, user=user, limit=10)
    if not flags and not subsidies and not selectors.has_petition(case=case):
        return None
    plan = selectors.plan_of(case=case)
    return CasePanel(
        template="court/case_panel.html",
        context={
            "case": case,
            "plan": plan,
            "plan_form": PlanForm(initial={"report_month": plan.report_month if plan else None}),
            "obligations": list(selectors.obligations_of(case=case)),
            "flags": flags,
            "subsidies": subsidies,
            "papers": papers_status(case=case, user=user),
            "can_change": can_change(user=user, case=case),
            "is_supervisor": supervises(user, case),
            "today": schedule.today(),
        },
    )


@dataclasses.dataclass(frozen=True)
class SubsidyRow:
    """An application as the screens show it: its computation, and whether a notice is due."""

    application: Subsidy
    assessment: SubsidyAssessment | None
    notice: bool  # decided, and the user may have its decision notice


def subsidy_rows(*, case: Case, user: User, limit: int) -> list[SubsidyRow]:
    applications = list(selectors.subsidy_applications_of(case=case)[:limit])
    may = bool(applications) and paper_allowed(user=user, case=case, code=NOTICE)
    return [
        SubsidyRow(
            application,
            selectors.assessment_of(application),
            may and application.decision != Subsidy.Decision.PENDING,
        )
        for application in applications
    ]


def petition_task_section(*, request: HttpRequest, activation) -> TaskSection | None:
    """The petition step's page: the court's checklist, as on the case page's panel.

    Registered as a task page's section (``workflows.hooks``): which papers are gathered,
    which the system writes (Word / PDF), which the doctor or a relative must supply.
    """
    user = request.user
    if activation.flow_task is not CoordinationFlow.petition or not isinstance(user, User):
        return None
    case = activation.process.case
    return TaskSection(
        "court/_task_papers.html", {"case": case, "papers": papers_status(case=case, user=user)}
    )


def guardian_home_section(*, user: User) -> HomeSection | None:
    """The professional's home: what is due to the court, and when, for their cases."""
    return HomeSection(
        template="court/guardian_home.html",
        context={
            "obligations": list(selectors.obligations_due_for_guardian(user=user)[:PAGE_SIZE]),
            "today": schedule.today(),
        },
    )


class PlanView(StaffOnlyMixin, View):
    def post(self, request, case_id):
        case = load_case(request, case_id)
        form = PlanForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("定期報告の月を選んでください。"))
        else:
            try:
                services.plan_set(
                    actor=request.user, case=case, report_month=form.cleaned_data["report_month"]
                )
                messages.success(request, _("報告の予定を設定しました。"))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return redirect("cases:detail", case_id=case.pk)


class _ObligationView(View):
    """Record a submission (or a fee ruling) of one obligation; the subclass loads it."""

    template_name = "court/obligation.html"
    back: str

    def load(self, request, obligation_id) -> Obligation:
        raise NotImplementedError

    def _forms(self, obligation: Obligation, data=None):
        if obligation.submitted_on is None:
            return SubmissionForm(data)
        if obligation.kind == Obligation.Kind.FEE_PETITION and obligation.ruled_on is None:
            return FeeRulingForm(data)
        return None

    def _render(self, request, obligation, form, status=200):
        return render(
            request,
            self.template_name,
            {"obligation": obligation, "form": form, "back": self.back_url(obligation)},
            status=status,
        )

    def back_url(self, obligation: Obligation) -> str:
        raise NotImplementedError

    def get(self, request, obligation_id):
        obligation = self.load(request, obligation_id)
        return self._render(request, obligation, self._forms(obligation))

    def post(self, request, obligation_id):
        obligation = self.load(request, obligation_id)
        form = self._forms(obligation, request.POST)
        if form is None:
            return redirect(self.back_url(obligation))
        if form.is_valid():
            try:
                if isinstance(form, SubmissionForm):
                    services.obligation_submit(
                        actor=request.user,
                        obligation=obligation,
                        submitted_on=form.cleaned_data["submitted_on"],
                    )
                else:
                    services.fee_ruling_record(
                        actor=request.user,
                        obligation=obligation,
                        ruled_on=form.cleaned_data["ruled_on"],
                    )
                messages.success(request, _("記録しました。"))
                return redirect(self.back_url(obligation))
            except ValidationError as error:
                form.add_error(None, error)
        return self._render(request, obligation, form, status=422)


class GuardianObligationView(RoleRequiredMixin, _ObligationView):
    required_roles = (Role.PROFESSIONAL,)

    def load(self, request, obligation_id):
        try:
            return selectors.guardian_obligation_get(user=request.user, obligation_id=obligation_id)
        except Http404:
            raise denied(request, "obligation", obligation_id) from None

    def back_url(self, obligation):
        return reverse("portal:index")


class StaffObligationView(StaffOnlyMixin, _ObligationView):
    def load(self, request, obligation_id):
        try:
            return selectors.staff_obligation_get(user=request.user, obligation_id=obligation_id)
        except Http404:
            raise denied(request, "obligation", obligation_id) from None

    def back_url(self, obligation):
        return reverse("cases:detail", kwargs={"case_id": obligation.case_id})


class AssetChangeView(StaffOnlyMixin, View):
    template_name = "court/asset_change.html"

    def get(self, request, case_id):
        case = load_case(request, case_id)
        form = AssetChangeForm(initial={"noted_on": schedule.today()})
        return render(request, self.template_name, {"case": case, "form": form})

    def post(self, request, case_id):
        case = load_case(request, case_id)
        form = AssetChangeForm(request.POST)
        if form.is_valid():
            try:
                services.asset_change_record(actor=request.user, case=case, **form.cleaned_data)
                messages.success(
                    request, _("資産の変動を記録し、スーパーバイザーの一覧に載せました。")
                )
                return redirect("cases:detail", case_id=case.pk)
            except ValidationError as error:
                form.add_error(None, error)
        return render(request, self.template_name, {"case": case, "form": form}, status=422)


class FlagListView(StaffOnlyMixin, View):
    """The supervisor's list of cases with signs of trouble, with the reason."""

    def get(self, request):
        if not has_role(request.user, Role.SUPERVISOR):
            raise PermissionDenied
        flags = selectors.open_flags_for_supervisor(user=request.user)
        page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        services.flags_view_record(actor=request.user, flags=rows)
        return render(request, "court/flags.html", {"page": page, "flags": rows})


class FlagClearView(StaffOnlyMixin, View):
    def post(self, request, flag_id):
        try:
            flag = selectors.flag_get_for_supervisor(user=request.user, flag_id=flag_id)
        except Http404:
            raise denied(request, "flag", flag_id) from None
        if not ConfirmForm(request.POST).is_valid():
            messages.error(request, _("解消するには「確認しました」にチェックしてください。"))
            return redirect("court:flags")
        services.flag_clear(actor=request.user, flag=flag, on=schedule.today())
        messages.success(request, _("注意を解消しました。"))
        return redirect("court:flags")


class SubsidyView(StaffOnlyMixin, View):
    """Compute one of the case's applications by its fiscal year's rule; show the rule and
    the amount of each."""

    template_name = "court/subsidy.html"

    def _render(self, request, case, form, status=200):
        rows = subsidy_rows(case=case, user=request.user, limit=PAGE_SIZE)
        assessed = any(row.assessment is not None for row in rows)
        case_view_record(
            actor=request.user,
            case=case,
            fields_read=["SubsidyAssessment.override_reason"] if assessed else [],
            request=request,
        )
        return render(
            request,
            self.template_name,
            {"case": case, "form": form, "rows": rows},
            status=status,
        )

    def _form(self, case, data=None, initial=None):
        return SubsidyForm(
            data, initial=initial, applications=selectors.subsidy_applications_of(case=case)
        )

    def get(self, request, case_id):
        case = load_case(request, case_id)
        if not can_change(user=request.user, case=case):
            raise PermissionDenied
        initial = {"application": request.GET.get("application")}
        return self._render(request, case, self._form(case, initial=initial))

    def post(self, request, case_id):
        case = load_case(request, case_id)
        form = self._form(case, request.POST)
        if form.is_valid():
            try:
                services.subsidy_assess(actor=request.user, **form.cleaned_data)
                messages.success(request, _("算定を記録しました。"))
                return redirect("court:subsidy", case_id=case.pk)
            except ValidationError as error:
                form.add_error(None, error)
        return self._render(request, case, form, status=422)


class PaperView(StaffOnlyMixin, View):
    """Hand out a paper filled from the case's records, as Word or PDF, never kept."""

    TYPES = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
    }

    def get(self, request, case_id, code, fmt):
        case = load_case(request, case_id)
        if fmt not in self.TYPES or code not in PAPERS:
            raise Http404
        try:
            data = services.paper_generate(
                actor=request.user,
                case=case,
                code=code,
                fmt=fmt,
                application_id=request.GET.get("application"),
            )
        except Http404:
            raise denied(request, "subsidy", request.GET.get("application")) from None
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("cases:detail", case_id=case.pk)
        # The case number only in the file name: names travel with downloads.
        response = FileResponse(
            io.BytesIO(data),
            as_attachment=True,
            filename=f"{case.number}_{code}.{fmt}",
            content_type=self.TYPES[fmt],
        )
        response["Cache-Control"] = "no-store"
        return response
