"""Writes of the court's side: the reporting plan, what the guardian submitted, the signs of
trouble. Each service is atomic and audits inside its transaction."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from advocacy.access.roles import supervises
from advocacy.access.selectors import can_change
from advocacy.accounts.models import User
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases.models import Case, GuardianAppointment, Petition, Subsidy
from advocacy.dates import fiscal_year_of
from advocacy.pdf import pdf_from_docx
from advocacy.portal.selectors import guardian_case_get_for

from . import rules, schedule, selectors
from .models import (
    Flag,
    Obligation,
    PaperTemplate,
    ReportingPlan,
    SubsidyAssessment,
    SubsidyRule,
)
from .papers import templates as paper_templates
from .papers.catalogue import OF_APPLICATION, PAPERS, paper_allowed
from .papers.context import fields_read, paper_context

ERR_NO_RULING = _("審判日と選任された後見人等を記録してから、報告の予定を設定してください。")
ERR_CANNOT_CHANGE = _("このケースを変更する権限がありません。")
ERR_BEFORE_RULING = _("提出日は審判日（%(ruling)s）より前にはできません。")
ERR_FUTURE = _("提出日に未来の日付は入れられません。")
ERR_ALREADY = _("この期限はすでに提出済みです。")
ERR_NOT_FEE = _("報酬付与の審判日は、報酬付与の申立にだけ記録できます。")
ERR_FEE_NOT_FILED = _("報酬付与の申立の提出日を先に記録してください。")
ERR_RULED_BEFORE = _("審判日は申立の提出日より前にはできません。")
ERR_NOTE = _("内容を入れてください。")
ERR_NOT_SUPERVISOR = _("注意を解消できるのはスーパーバイザーです。")
ERR_UNKNOWN_PAPER = _("その書類は作成できません。")
ERR_PAPER_NEEDS = _("この書類には本人の収入・資産を見る権限が必要です。")
ERR_NO_APPLICATION = _("決定通知書を作る申請を選んでください。")
ERR_NOT_DECIDED = _("審査中の申請の決定通知書は作成できません。決定と決定日を記録してください。")


def _ruling(case: Case) -> Petition | None:
    return (
        Petition.objects.filter(case=case, ruling_on__isnull=False)
        .order_by("-ruling_on", "-created_at")
        .first()
    )


def _guardian(case: Case) -> GuardianAppointment | None:
    return (
        GuardianAppointment.objects.filter(
            case=case, role=GuardianAppointment.Role.GUARDIAN, ended_on__isnull=True
        )
        .order_by("-appointed_on", "-created_at")
        .first()
    )


def _require_change(actor: User, case: Case) -> None:
    if not can_change(user=actor, case=case):
        raise PermissionDenied(ERR_CANNOT_CHANGE)


def _may_submit(actor: User, case: Case) -> bool:
    """The case's staff, or the guardian holding the guardian's view of the case."""
    if can_change(user=actor, case=case):
        return True
    try:
        guardian_case_get_for(user=actor, case_id=case.pk)
    except Http404:
        return False
    return True


@transaction.atomic(durable=True)
def plan_set(*, actor: User, case: Case, report_month: int) -> ReportingPlan:
    """Set the court's month for the yearly report; open the first obligations once."""
    _require_change(actor, case)
    Case.objects.select_for_update().filter(pk=case.pk).first()
    ruling, guardian = _ruling(case), _guardian(case)
    if ruling is None or guardian is None:
        raise ValidationError(ERR_NO_RULING)
    plan = ReportingPlan.objects.filter(case=case).first() or ReportingPlan(case=case)
    plan.appointment, plan.report_month, plan.set_by = guardian, report_month, actor
    plan.full_clean()
    plan.save()
    open_obligations = Obligation.objects.filter(case=case, submitted_on__isnull=True)
    if not Obligation.objects.filter(case=case, kind=Obligation.Kind.FIRST_REPORT).exists():
        Obligation.objects.create(
            case=case,
            kind=Obligation.Kind.FIRST_REPORT,
            due_on=schedule.first_report_due(guardian.appointed_on),
        )
    yearly = open_obligations.filter(kind=Obligation.Kind.YEARLY_REPORT).first()
    done_yearly = Obligation.objects.filter(
        case=case, kind=Obligation.Kind.YEARLY_REPORT, submitted_on__isnull=False
    ).order_by("-due_on")
    last = done_yearly.first()
    due = (
        schedule.next_yearly_due(last.due_on, report_month)
        if last
        else schedule.first_yearly_due(guardian.appointed_on, report_month)
    )
    if yearly is None:
        Obligation.objects.create(case=case, kind=Obligation.Kind.YEARLY_REPORT, due_on=due)
    elif yearly.due_on != due:
        # The court moved the month: the open report follows, and is announced afresh.
        yearly.due_on, yearly.reminded_on, yearly.overdue_reminded_on = due, None, None
        yearly.save(update_fields=["due_on", "reminded_on", "overdue_reminded_on"])
    audit_record(
        actor=actor, action=Action.COURT_PLAN_SET, obj=case, label=f"{case.number} {report_month}"
    )
    return plan


def _lock(obligation: Obligation) -> Obligation:
    return Obligation.objects.select_for_update().select_related("case").get(pk=obligation.pk)


@transaction.atomic(durable=True)
def obligation_submit(
    *, actor: User, obligation: Obligation, submitted_on: datetime.date
) -> Obligation:
    """Record the day the guardian submitted (the date only; the paper goes to the court).

    A yearly report opens the next year's report and the fee petition for the period it
    closes. A late report counts towards the late-reports flag.
    """
    obligation = _lock(obligation)
    case = obligation.case
    if not _may_submit(actor, case):
        raise PermissionDenied(ERR_CANNOT_CHANGE)
    if obligation.submitted_on is not None:
        raise ValidationError(ERR_ALREADY)
    ruling = _ruling(case)
    if ruling is not None and ruling.ruling_on and submitted_on < ruling.ruling_on:
        raise ValidationError(ERR_BEFORE_RULING % {"ruling": ruling.ruling_on.isoformat()})
    if submitted_on > schedule.today():
        raise ValidationError(ERR_FUTURE)
    obligation.submitted_on, obligation.submitted_by = submitted_on, actor
    obligation.save(update_fields=["submitted_on", "submitted_by"])
    if obligation.kind == Obligation.Kind.YEARLY_REPORT:
        plan = ReportingPlan.objects.filter(case=case).first()
        if plan is not None:
            Obligation.objects.create(
                case=case,
                kind=Obligation.Kind.YEARLY_REPORT,
                due_on=schedule.next_yearly_due(obligation.due_on, plan.report_month),
            )
        Obligation.objects.create(
            case=case,
            kind=Obligation.Kind.FEE_PETITION,
            due_on=schedule.fee_petition_due(submitted_on),
        )
    audit_record(
        actor=actor,
        action=Action.COURT_SUBMISSION_RECORDED,
        obj=case,
        label=f"{case.number} {obligation.kind}",
    )
    if obligation.is_report and obligation.was_late:
        late_reports_check(case=case, on=submitted_on)
    return obligation


@transaction.atomic(durable=True)
def fee_ruling_record(
    *, actor: User, obligation: Obligation, ruled_on: datetime.date
) -> Obligation:
    """Record the fee award's ruling; the subsidy application falls due after it."""
    obligation = _lock(obligation)
    case = obligation.case
    if not _may_submit(actor, case):
        raise PermissionDenied(ERR_CANNOT_CHANGE)
    if obligation.kind != Obligation.Kind.FEE_PETITION:
        raise ValidationError(ERR_NOT_FEE)
    if obligation.submitted_on is None:
        raise ValidationError(ERR_FEE_NOT_FILED)
    if obligation.ruled_on is not None:
        raise ValidationError(ERR_ALREADY)
    if ruled_on < obligation.submitted_on:
        raise ValidationError(ERR_RULED_BEFORE)
    if ruled_on > schedule.today():
        raise ValidationError(ERR_FUTURE)
    obligation.ruled_on = ruled_on
    obligation.save(update_fields=["ruled_on"])
    Obligation.objects.create(
        case=case,
        kind=Obligation.Kind.SUBSIDY_APPLICATION,
        due_on=schedule.subsidy_application_due(ruled_on),
    )
    audit_record(actor=actor, action=Action.COURT_FEE_RULING_RECORDED, obj=case, label=case.number)
    return obligation


def late_reports(case: Case, *, today: datetime.date) -> int:
    """Count the case's reports submitted late, or still open past their date."""
    reports = Obligation.objects.filter(
        case=case, kind__in=[Obligation.Kind.FIRST_REPORT, Obligation.Kind.YEARLY_REPORT]
    )
    return sum(
        1
        for report in reports
        if report.was_late or (report.submitted_on is None and report.due_on < today)
    )


def _flag_raise(
    *,
    actor: User | None,
    case: Case,
    reason: str,
    on: datetime.date,
    note: str = "",
    source_id: uuid.UUID | None = None,
) -> Flag:
    flag = Flag(
        case=case,
        person_id=case.person_id,
        reason=reason,
        raised_on=on,
        note=note,
        source_id=source_id,
        raised_by=actor,
    )
    flag.full_clean()
    flag.save()
    audit_record(
        actor=actor, action=Action.COURT_FLAG_RAISED, obj=case, label=f"{case.number} {reason}"
    )
    return flag


def late_reports_check(*, case: Case, on: datetime.date) -> Flag | None:
    """Flag the case once its late reports reach the set number (while none is open)."""
    if late_reports(case, today=on) < schedule.setting("LATE_REPORTS_FLAG"):
        return None
    reason = Flag.Reason.LATE_REPORTS
    if Flag.objects.filter(case=case, reason=reason, cleared_on__isnull=True).exists():
        return None
    return _flag_raise(actor=None, case=case, reason=reason, on=on)


@transaction.atomic(durable=True)
def asset_change_record(*, actor: User, case: Case, noted_on: datetime.date, note: str) -> Flag:
    """Record a large unexplained change in the person's assets (the caseworker's finding)."""
    _require_change(actor, case)
    if not note.strip():
        raise ValidationError({"note": ERR_NOTE})
    return _flag_raise(
        actor=actor, case=case, reason=Flag.Reason.ASSET_CHANGE, on=noted_on, note=note.strip()
    )


def complaint_flag_raise(*, case: Case, contact_id: uuid.UUID, on: datetime.date) -> Flag | None:
    """Flag a relative's complaint recorded in a guardian-support contact (once per contact).

    In the caller's transaction: the sweep (``sweep.flags_from_complaints``) calls it.
    """
    if Flag.objects.filter(reason=Flag.Reason.RELATIVE_COMPLAINT, source_id=contact_id).exists():
        return None
    return _flag_raise(
        actor=None,
        case=case,
        reason=Flag.Reason.RELATIVE_COMPLAINT,
        on=on,
        source_id=contact_id,
    )


@transaction.atomic(durable=True)
def flag_clear(*, actor: User, flag: Flag, on: datetime.date) -> Flag:
    """A supervisor clears a flag once the matter is looked into."""
    flag = Flag.objects.select_for_update().select_related("case").get(pk=flag.pk)
    if not supervises(actor, flag.case):
        raise PermissionDenied(ERR_NOT_SUPERVISOR)
    if flag.cleared_on is None:
        flag.cleared_on, flag.cleared_by = on, actor
        flag.save(update_fields=["cleared_on", "cleared_by"])
        audit_record(
            actor=actor,
            action=Action.COURT_FLAG_CLEARED,
            obj=flag.case,
            label=f"{flag.case.number} {flag.reason}",
        )
    return flag


def flags_view_record(*, actor: User, flags: list[Flag]) -> None:
    """Record that actor read the notes of flags (one event a case, naming the field)."""
    for case in {flag.case_id: flag.case for flag in flags}.values():
        audit_record(
            actor=actor,
            action=Action.COURT_FLAGS_VIEWED,
            obj=case,
            label=case.number,
            fields_read=["Flag.note"],
        )


@transaction.atomic(durable=True)
def subsidy_assess(
    *,
    actor: User,
    application: Subsidy,
    basis: str,
    assets_yen: int,
    residence: str,
    months: int = 0,
    fee_awarded_yen: int = 0,
    filing_fee_yen: int = 0,
    examination_yen: int = 0,
    certificate_yen: int = 0,
    override_yen: int | None = None,
    override_reason: str = "",
) -> SubsidyAssessment:
    """Compute an application by the rule of its fiscal year; keep a reasoned override.

    An application has one computation: computing it again (the facts corrected) replaces
    the earlier one, and the audit trail keeps that it happened.
    """
    application = (
        Subsidy.objects.select_for_update().select_related("case__person").get(pk=application.pk)
    )
    case = application.case
    _require_change(actor, case)
    rule = rules.rule_for(application.applied_on)
    codes = case.person.categories.order_by("sort_order", "code").values_list("code", flat=True)
    outcome = rules.compute(
        rule,
        kind=application.kind,
        basis=basis,
        assets_yen=assets_yen,
        residence=residence,
        category_codes=list(codes),
        months=months,
        fee_awarded_yen=fee_awarded_yen,
        filing_fee_yen=filing_fee_yen,
        examination_yen=examination_yen,
        certificate_yen=certificate_yen,
    )
    assessment = SubsidyAssessment.objects.filter(application=application).first()
    if assessment is None:
        assessment = SubsidyAssessment(application=application)
    assessment.case, assessment.person_id, assessment.rule = case, case.person_id, rule
    assessment.kind = application.kind
    assessment.basis, assessment.assets_yen, assessment.residence = basis, assets_yen, residence
    assessment.months, assessment.fee_awarded_yen = months, fee_awarded_yen
    assessment.filing_fee_yen, assessment.examination_yen = filing_fee_yen, examination_yen
    assessment.certificate_yen = certificate_yen
    assessment.eligible, assessment.budget_line = outcome.eligible, outcome.budget_line
    assessment.computed_yen = outcome.computed_yen
    assessment.override_yen, assessment.override_reason = override_yen, override_reason.strip()
    assessment.created_by = actor
    assessment.full_clean()
    assessment.save()
    audit_record(
        actor=actor,
        action=Action.SUBSIDY_ASSESSED,
        obj=case,
        label=f"{case.number} {application.kind} {rule.fiscal_year}",
        reason="override" if override_yen is not None else "",
    )
    return assessment


@transaction.atomic
def subsidy_computations_recheck(*, actor: User | None, case: Case) -> int:
    """Void the computations of case's applications whose kind or fiscal year was edited.

    A computation applies the rule of the application's fiscal year to its kind (decision
    114): once either is edited, the amount and the budget line it gave are not the
    application's, and the report, the survey and the decision notice must not use them. The
    application is then not computed, as it was before, and is computed again on the
    computation screen. Runs on ``cases.hooks.on_case_changed``, in the transaction of the
    record's save. Returns how many computations were voided.
    """
    voided = 0
    computations = SubsidyAssessment.objects.filter(case=case).select_related("application", "rule")
    for assessment in computations:
        application = assessment.application
        year = fiscal_year_of(application.applied_on)
        if assessment.kind == application.kind and assessment.rule.fiscal_year == year:
            continue
        label = f"{case.number} {assessment.kind} {assessment.rule.fiscal_year}"
        assessment.delete()
        audit_record(actor=actor, action=Action.SUBSIDY_ASSESSMENT_VOIDED, obj=case, label=label)
        voided += 1
    return voided


# Not durable: the admin's change view already holds a transaction around save_model.
@transaction.atomic
def subsidy_rule_save(*, actor: User, rule: SubsidyRule) -> SubsidyRule:
    """Save one fiscal year's rule (the system administrator, through the admin)."""
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor, action=Action.SUBSIDY_RULE_SAVED, obj=rule, label=str(rule.fiscal_year)
    )
    return rule


def _notice_application(case: Case, application_id: object) -> Subsidy:
    """The decided application of case a decision notice is about (404 for another case's)."""
    if not application_id:
        raise ValidationError(ERR_NO_APPLICATION)
    application = selectors.subsidy_application_get(case=case, application_id=application_id)
    if application.decision == Subsidy.Decision.PENDING:
        raise ValidationError(ERR_NOT_DECIDED)
    return application


def paper_generate(
    *, actor: User, case: Case, code: str, fmt: str, application_id: object = None
) -> bytes:
    """Fill the paper from the case's records, as .docx or PDF; audit what it decrypted.

    A subsidy decision notice is about one of the case's decided applications
    (application_id); the other papers ignore it. Not one transaction: the PDF conversion
    takes seconds; the audit event is written once the paper exists, before it is handed out.
    """
    _require_change(actor, case)
    if code not in PAPERS:
        raise ValidationError(ERR_UNKNOWN_PAPER)
    if not paper_allowed(user=actor, case=case, code=code):
        # The finances' papers need the finances' permission, as the case page does.
        raise PermissionDenied(ERR_PAPER_NEEDS)
    application = _notice_application(case, application_id) if code in OF_APPLICATION else None
    data = paper_templates.docx_fill(
        code,
        paper_context(case=case, code=code, today=schedule.today(), application=application),
    )
    if fmt == "pdf":
        data = pdf_from_docx(data)
    with transaction.atomic(durable=True):
        audit_record(
            actor=actor,
            action=Action.PAPER_GENERATED,
            obj=case,
            label=f"{case.number} {code} {fmt}"
            + (f" {application.kind} {application.applied_on:%Y-%m-%d}" if application else ""),
            fields_read=fields_read(code),
        )
    return data


@transaction.atomic
def paper_template_upload(*, actor: User, code: str, data: bytes) -> PaperTemplate:
    """Replace the paper's template with a city's own, once it passes the check.

    Not durable: the admin's change view holds a transaction around it.
    """
    if code not in PAPERS:
        raise ValidationError(ERR_UNKNOWN_PAPER)
    paper_templates.template_check(code, data)
    template = PaperTemplate.objects.filter(code=code).first() or PaperTemplate(code=code)
    template.content, template.uploaded_by = data, actor
    template.save()
    audit_record(actor=actor, action=Action.PAPER_TEMPLATE_UPLOADED, obj=template, label=code)
    return template
