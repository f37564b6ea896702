"""Writes of the workflows: starting processes, the work of each step, routing and reminders.

Flows declare structure and call these; task views call the ``*_done`` functions with the
validated form. Each step saves the case's records through ``advocacy.cases.services`` so
the case's stage and records follow the process.
"""

from __future__ import annotations

import calendar
import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from advocacy.access.roles import is_case_staff, supervises
from advocacy.access.selectors import can_change, cases_visible_to
from advocacy.accounts.models import Organisation, User
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases import services as cases
from advocacy.cases.models import (
    Assessment,
    Case,
    CaseShare,
    GuardianAppointment,
    Petition,
    Subsidy,
    TeamMeeting,
)

from .models import CaseProcess, CaseTask

logger = logging.getLogger(__name__)

ERR_CANNOT_START = _("このケースの手続きを開始する権限がありません。")
ERR_RUNNING = _("このケースではこの手続きがすでに進行中です。")
ERR_NOT_WAITING = _("このケースはその連絡を受け付ける段階にありません。")
ERR_WORKER = _("担当者は、この組織でこのケースを見られる職員から選んでください。")
ERR_ORGANISATION = _("担当組織は、ケースの組織か共有先の組織から選んでください。")
ERR_ONLY_SUPERVISOR = _("担当組織を変えられるのはスーパーバイザーです。")

DAILY_LIFE_AGENCY = "日常生活自立支援事業（社会福祉協議会）"

# Defaults; override any of them in settings.WORKFLOWS.
DEFAULTS = {
    "REMIND_DAYS_BEFORE": 3,
    "URGENT_REVIEW_DAYS": 0,
    "FEEDBACK_DAYS": 14,
    "FIRST_MEETING_DAYS": 30,
    "MONITORING_MONTHS": 3,
    "REVIEW_MONTHS": 6,
    "REVIEW_TASK_DAYS": 14,
    "HELP_REQUEST_DAYS": 7,
    "FEE_SUBSIDY_MONTHS": 3,
    "CANDIDATE_WAIT_DAYS": 30,
}

# A process's decision code → the closing reason proposed to the supervisor.
CLOSING_REASON_OF = {
    "information": Case.ClosingReason.INFORMATION_GIVEN,
    "referral": Case.ClosingReason.REFERRED,
    "daily_life_support": Case.ClosingReason.LESS_RESTRICTIVE,
    "voluntary": Case.ClosingReason.LESS_RESTRICTIVE,
    "other_support": Case.ClosingReason.LESS_RESTRICTIVE,
    "no_action": Case.ClosingReason.OTHER,
    "death": Case.ClosingReason.DEATH,
    "capacity_restored": Case.ClosingReason.CAPACITY_RESTORED,
    "moved_away": Case.ClosingReason.MOVED_AWAY,
}


def setting(name: str) -> int:
    return getattr(settings, "WORKFLOWS", {}).get(name, DEFAULTS[name])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return day moved by months, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _today() -> datetime.date:
    return timezone.localdate()


def _at_nine(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


# Routing


def case_task_create(*, activation, role: str, due_on: datetime.date | None) -> CaseTask:
    """Record who a new human task is for and when it is due."""
    process = activation.process
    task = activation.task
    return CaseTask.objects.create(
        task=task,
        case_id=process.case_id,
        organisation_id=process.lead_organisation_id,
        role=role,
        due_on=due_on,
        status=task.status,
        owner_id=task.owner_id,
    )


def case_worker(activation) -> User | None:
    """Return the case's worker when they may do the step (used by ``.Assign``), else None."""
    process = activation.process
    worker = process.case.assigned_worker
    if worker is None or not worker.is_active:
        return None
    if worker.organisation_id != process.lead_organisation_id:
        return None
    if not cases_visible_to(user=worker).filter(pk=process.case_id).exists():
        return None
    return worker


def _last_actor(process: CaseProcess) -> User | None:
    """Return who did the latest human step of process (machine steps act for them)."""
    task = (
        Task.objects.filter(process_id=process.pk, owner__isnull=False, finished__isnull=False)
        .select_related("owner")
        .order_by("-finished", "-pk")
        .first()
    )
    return task.owner if task else None


# Starting and chaining processes


def process_begin(
    activation,
    *,
    case: Case,
    actor: User | None,
    lead_organisation: Organisation | None = None,
) -> CaseProcess:
    """Tie a starting process to case (the StartHandle of every flow)."""
    process = activation.process
    process.case = case
    process.lead_organisation = lead_organisation or case.organisation
    activation.task.owner = actor
    audit_record(
        actor=actor,
        action=Action.PROCESS_STARTED,
        obj=case,
        label=f"{case.number} {activation.flow_class.slug}",
    )
    return process


def running_process(*, case: Case, flow_class: type) -> CaseProcess | None:
    return (
        CaseProcess.objects.filter(case=case, flow_class=flow_class)
        .exclude(status__in=[PROCESS.DONE, PROCESS.CANCELED])
        .first()
    )


@transaction.atomic
def consultation_start(*, actor: User, case: Case) -> CaseProcess:
    """Start the consultation process of case (intake → triage)."""
    from .consultation.flows import ConsultationFlow

    return _start(actor=actor, case=case, flow_class=ConsultationFlow)


def _start(*, actor: User, case: Case, flow_class: type, **kwargs) -> CaseProcess:
    if not is_case_staff(actor) or not can_change(user=actor, case=case):
        raise PermissionDenied(ERR_CANNOT_START)
    # Lock the case row so two clicks cannot start two processes.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if running_process(case=case, flow_class=flow_class):
        raise ValidationError(ERR_RUNNING)
    return flow_class.start.run(case=case, actor=actor, **kwargs)


def _chain(activation, *, stage: str, flow_path: str) -> None:
    from django.utils.module_loading import import_string

    process = activation.process
    actor = _last_actor(process)
    cases.case_set_stage(actor=actor, case=process.case, stage=stage)
    import_string(flow_path).start.run(
        case=process.case, actor=actor, lead_organisation=process.lead_organisation
    )


def start_coordination(activation) -> None:
    """Move the case to coordination and start that process."""
    _chain(
        activation,
        stage=Case.Stage.COORDINATION,
        flow_path="workflows.coordination.flows.CoordinationFlow",
    )


def start_team_support(activation) -> None:
    """Move the case to team support and start that process."""
    _chain(
        activation,
        stage=Case.Stage.TEAM_SUPPORT,
        flow_path="workflows.team_support.flows.TeamSupportFlow",
    )


def start_guardian_support(activation) -> None:
    """Move the case to guardian support and start that process."""
    _chain(
        activation,
        stage=Case.Stage.GUARDIAN_SUPPORT,
        flow_path="workflows.guardian_support.flows.GuardianSupportFlow",
    )


@transaction.atomic
def process_set_organisation(
    *, actor: User, process: CaseProcess, organisation: Organisation
) -> CaseProcess:
    """Route process's steps, open tasks included, to organisation (the case's or a sharer)."""
    case = process.case
    if not supervises(actor, case):
        raise PermissionDenied(ERR_ONLY_SUPERVISOR)
    shared = CaseShare.objects.filter(
        case=case, organisation=organisation, revoked_at__isnull=True
    ).exists()
    if organisation.pk != case.organisation_id and not shared:
        raise ValidationError(ERR_ORGANISATION)
    process.lead_organisation = organisation
    process.save(update_fields=["lead_organisation"])
    open_tasks = Task.objects.filter(process_id=process.pk, status=STATUS.NEW)
    CaseTask.objects.filter(task__in=open_tasks).update(organisation=organisation)
    audit_record(
        actor=actor,
        action=Action.TASK_ASSIGNED,
        obj=case,
        label=case.number,
        reason=f"organisation {organisation.pk}",
    )
    return process


# Due dates (callables given to the nodes)


def due_today(activation) -> datetime.date:
    return _today() + datetime.timedelta(days=setting("URGENT_REVIEW_DAYS"))


def due_follow_up(activation) -> datetime.date | None:
    referral = activation.process.referral
    return referral.follow_up_due if referral else None


def due_feedback(activation) -> datetime.date:
    referral = activation.process.referral
    if referral and referral.feedback_due:
        return referral.feedback_due
    return _today() + datetime.timedelta(days=setting("FEEDBACK_DAYS"))


def due_first_meeting(activation) -> datetime.date:
    return activation.process.next_due or _today() + datetime.timedelta(
        days=setting("FIRST_MEETING_DAYS")
    )


def due_monitoring(activation) -> datetime.date:
    return add_months(_today(), setting("MONITORING_MONTHS"))


def due_review(activation) -> datetime.date:
    return _today() + datetime.timedelta(days=setting("REVIEW_TASK_DAYS"))


def due_help(activation) -> datetime.date:
    return _today() + datetime.timedelta(days=setting("HELP_REQUEST_DAYS"))


def due_fee_subsidy(activation) -> datetime.date | None:
    return activation.process.next_due


def review_at(activation) -> datetime.datetime:
    """Return when the next periodic review (支援の見直し) falls due."""
    return _at_nine(add_months(_today(), setting("REVIEW_MONTHS")))


def candidate_deadline(activation) -> datetime.datetime:
    """Return when an unanswered appointment request expires and is issued again."""
    return timezone.now() + datetime.timedelta(days=setting("CANDIDATE_WAIT_DAYS"))


# Steps: each receives the actor, the task's activation and the validated form.


def _set(process: CaseProcess, **values) -> None:
    for name, value in values.items():
        setattr(process, name, value)
    process.save(update_fields=list(values))


def _save_record(actor: User, process: CaseProcess, record):
    return cases.record_save(actor=actor, case=process.case, record=record)


def nothing_to_record(*, actor: User, activation, form) -> None:
    """Complete a step whose only record is the task itself (and its audit event)."""


def triage_done(*, actor: User, activation, form) -> None:
    _set(activation.process, route=form.cleaned_data["outcome"], answer="")


def referral_initial(activation) -> dict:
    if activation.process.route == "daily_life_support":
        return {"agency": DAILY_LIFE_AGENCY, "referred_on": _today()}
    return {"referred_on": _today()}


def referral_done(*, actor: User, activation, form) -> None:
    record = _save_record(actor, activation.process, form.save(commit=False))
    _set(activation.process, referral=record)


def follow_up_done(*, actor: User, activation, form) -> None:
    process = activation.process
    referral = process.referral
    referral.followed_up_on = form.cleaned_data["followed_up_on"]
    _save_record(actor, process, referral)
    _set(process, answer=form.cleaned_data["took"])


def feedback_done(*, actor: User, activation, form) -> None:
    process = activation.process
    referral = process.referral
    referral.feedback_sent_on = form.cleaned_data["feedback_sent_on"]
    _save_record(actor, process, referral)


def close_initial(activation) -> dict:
    route = activation.process.route
    if route == "other_support" and activation.process.answer == "refer":
        route = "referral"
    return {"reason": CLOSING_REASON_OF.get(route, Case.ClosingReason.OTHER)}


def close_done(*, actor: User, activation, form) -> None:
    cases.case_close(
        actor=actor,
        case=activation.process.case,
        reason=form.cleaned_data["reason"],
        on=form.cleaned_data["closed_on"],
    )


def assessment_of(activation) -> Assessment:
    """Return the assessment this process's parallel steps share (a new one at first)."""
    return activation.process.assessment or Assessment(assessed_on=_today())


def assessment_done(*, actor: User, activation, form) -> None:
    record = _save_record(actor, activation.process, form.save(commit=False))
    if activation.process.assessment_id != record.pk:
        _set(activation.process, assessment=record)


def conference_done(*, actor: User, activation, form) -> None:
    decision = _save_record(actor, activation.process, form.save(commit=False))
    _set(activation.process, route=decision.outcome, answer="")


def less_restrictive_done(*, actor: User, activation, form) -> None:
    _set(activation.process, answer=form.cleaned_data["next_step"])


def petition_of(activation) -> Petition:
    return activation.process.petition or Petition()


def petitioner_done(*, actor: User, activation, form) -> None:
    record = _save_record(actor, activation.process, form.save(commit=False))
    _set(
        activation.process,
        petition=record,
        answer="mayor" if record.petitioner_type == "mayor" else "other",
    )


def petition_step_done(*, actor: User, activation, form) -> None:
    _save_record(actor, activation.process, form.save(commit=False))


def subsidy_check_done(*, actor: User, activation, form) -> None:
    data = form.cleaned_data
    if data["needed"] != "yes":
        return
    subsidy = Subsidy(
        kind=Subsidy.Kind.PETITION_COST,
        applied_on=data["applied_on"],
        amount_yen=data["amount_yen"],
    )
    _save_record(actor, activation.process, subsidy)


def matching_done(*, actor: User, activation, form) -> None:
    # The profession asked is a code, kept on the task for the portal and statistics.
    activation.task.data = {"profession": form.cleaned_data["profession"]}
    activation.task.save(update_fields=["data"])
    _set(activation.process, answer="")


def candidate_answer(activation, *, accepted: bool) -> None:
    """Record a candidate's answer on the waiting step (the Handle's function)."""
    _set(activation.process, answer="accepted" if accepted else "declined")


def guardian_done(*, actor: User, activation, form) -> None:
    record = form.save(commit=False)
    record.petition = activation.process.petition
    _save_record(actor, activation.process, record)


def team_formed(*, actor: User, activation, form) -> None:
    _set(activation.process, next_due=form.cleaned_data["first_meeting_due"])


def _meeting(kind: str):
    def done(*, actor: User, activation, form) -> None:
        meeting = form.save(commit=False)
        meeting.kind = kind
        _save_record(actor, activation.process, meeting)

    return done


first_meeting_done = _meeting(TeamMeeting.Kind.FIRST)
monitoring_done = _meeting(TeamMeeting.Kind.REGULAR)
review_done = _meeting(TeamMeeting.Kind.REVIEW)


def independence_done(*, actor: User, activation, form) -> None:
    _set(activation.process, answer=form.cleaned_data["independent"])


def help_done(*, actor: User, activation, form) -> None:
    _save_record(actor, activation.process, form.save(commit=False))


def help_initial(activation) -> dict:
    return {"contacted_on": _today(), "contact_from": "guardian", "is_help_request": True}


def fee_subsidy_initial(activation) -> dict:
    return {"deadline": activation.process.next_due, "applied_on": _today()}


def fee_subsidy_done(*, actor: User, activation, form) -> None:
    subsidy = form.save(commit=False)
    subsidy.kind = Subsidy.Kind.GUARDIAN_FEE
    _save_record(actor, activation.process, subsidy)


def current_guardian(activation) -> GuardianAppointment | None:
    return (
        GuardianAppointment.objects.filter(case_id=activation.process.case_id, ended_on=None)
        .order_by("-appointed_on")
        .first()
    )


def guardian_end_done(*, actor: User, activation, form) -> None:
    if form.instance.pk is None:
        # No appointment on record to end: nothing to save, the change still proceeds.
        return
    _save_record(actor, activation.process, form.save(commit=False))


# Events from outside the screens of a task (the portal, the case page)


def _waiting_task(case: Case, node) -> Task | None:
    return (
        Task.objects.filter(process__caseprocess__case=case, flow_task=node, status=STATUS.NEW)
        .order_by("pk")
        .first()
    )


def _run_handle(*, case: Case, node, actor: User | None, **kwargs) -> None:
    # A concurrent event may take the waiting task first; look again once, then give up.
    for _attempt in range(2):
        task = _waiting_task(case, node)
        if task is None:
            break
        try:
            node.run(task, **kwargs)
        except TransitionNotAllowed:
            continue
        audit_record(
            actor=actor,
            action=Action.TASK_COMPLETED,
            obj=case,
            label=f"{case.number} {node.name}"[:100],
        )
        return
    raise ValidationError(ERR_NOT_WAITING)


@transaction.atomic
def candidate_accepted(*, case: Case, actor: User | None = None) -> None:
    """Record that a candidate accepted the appointment request; the petition step follows."""
    from .coordination.flows import CoordinationFlow

    _run_handle(case=case, node=CoordinationFlow.await_candidate, actor=actor, accepted=True)


@transaction.atomic
def candidate_declined(*, case: Case, actor: User | None = None) -> None:
    """Record that the candidate declined; the request is issued again."""
    from .coordination.flows import CoordinationFlow

    _run_handle(case=case, node=CoordinationFlow.await_candidate, actor=actor, accepted=False)


def fee_ruling_received(activation, *, fee_ruling_on: datetime.date) -> None:
    """Set the fee-subsidy deadline from a fee ruling (the Handle's function)."""
    _set(activation.process, next_due=add_months(fee_ruling_on, setting("FEE_SUBSIDY_MONTHS")))


def closing_received(activation, *, reason: str) -> None:
    _set(activation.process, route=reason)


@transaction.atomic
def guardian_event_report(*, actor: User, case: Case, event: str, **kwargs) -> None:
    """Report an event of guardian support: a request for help, a fee ruling, a change, a close."""
    from .guardian_support.flows import GuardianSupportFlow

    if not is_case_staff(actor) or not can_change(user=actor, case=case):
        raise PermissionDenied(ERR_CANNOT_START)
    node = {
        "contact": GuardianSupportFlow.await_contact,
        "fee_ruling": GuardianSupportFlow.await_fee_ruling,
        "change": GuardianSupportFlow.await_change,
        "closing": GuardianSupportFlow.await_closing,
    }[event]
    _run_handle(case=case, node=node, actor=actor, **kwargs)


# Assignment


@transaction.atomic
def task_reassign(*, actor: User, activation, worker: User) -> None:
    """Give a task to worker of its organisation (a supervisor's decision)."""
    from .selectors import assignable_workers

    if worker.pk not in {user.pk for user in assignable_workers(task=activation.task)}:
        raise ValidationError(ERR_WORKER)
    if activation.task.status == STATUS.NEW:
        activation.assign(worker)
    else:
        activation.reassign(worker)
    case = activation.process.case
    audit_record(
        actor=actor,
        action=Action.TASK_ASSIGNED,
        obj=case,
        label=f"{case.number} {activation.flow_task.name}"[:100],
        reason=f"worker {worker.pk}",
    )


# Reminders


def _recipients(row: CaseTask) -> list[str]:
    task = row.task
    if task.owner_id:
        users = [task.owner]
    else:
        role = row.role or None
        staff = User.objects.filter(is_active=True, organisation_id=row.organisation_id)
        worker = row.case.assigned_worker
        if role:
            users = list(staff.filter(groups__name=role)[:50])
        elif worker and worker.is_active and worker.organisation_id == row.organisation_id:
            users = [worker]
        else:
            users = list(staff.filter(groups__name=Role.SUPERVISOR.value)[:50])
    return sorted({user.email for user in users if user.email})


def _reminder_text(row: CaseTask, overdue: bool) -> tuple[str, str]:
    # Case number and task title only: reminders leave the system by e-mail.
    title = str(row.task.flow_task.task_title)
    head = _("期限超過") if overdue else _("期限間近")
    subject = f"[{head}] {row.case.number} {title}"
    body = "\n".join(
        [
            f"{_('ケース番号')}: {row.case.number}",
            f"{_('タスク')}: {title}",
            f"{_('期限')}: {row.due_on.isoformat()}",
            "",
            str(_("受信箱でタスクを確認してください。")),
        ]
    )
    return subject, body


def reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail a reminder for each open task due soon, and again once it is overdue.

    Each reminder is claimed by a conditional update before it is sent, so a second run (or
    a second copy of the command) sends nothing twice.
    """
    today = today or _today()
    soon = today + datetime.timedelta(days=setting("REMIND_DAYS_BEFORE"))
    rows = (
        CaseTask.objects.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED])
        .filter(
            Q(due_on__lte=soon, reminded_on__isnull=True)
            | Q(due_on__lt=today, overdue_reminded_on__isnull=True)
        )
        .select_related("task__owner", "case__assigned_worker")
        .order_by("due_on", "pk")
    )
    sent = 0
    for row in rows.iterator(chunk_size=500):
        overdue = row.due_on < today and row.overdue_reminded_on is None
        field = "overdue_reminded_on" if overdue else "reminded_on"
        updates = {field: today}
        if overdue:
            # No "due soon" notice after the overdue one.
            updates["reminded_on"] = row.reminded_on or today
        try:
            with transaction.atomic():
                claimed = CaseTask.objects.filter(pk=row.pk, **{f"{field}__isnull": True}).update(
                    **updates
                )
                if not claimed:
                    continue
                recipients = _recipients(row)
                if recipients:
                    subject, body = _reminder_text(row, overdue)
                    send_mail(subject, body, None, recipients)
                    sent += 1
        except Exception:  # one failed mail must not stop the sweep; it is tried next run
            logger.exception("Reminder for task %s failed", row.pk)
    return sent
