"""A case's processes: starting one, chaining to the next, and which organisation leads it.

Each process is a ``CaseProcess`` row tied to one case. ``process_begin`` is the
``StartHandle`` of every flow. The end of one process starts the next through a
``Function`` step (``start_coordination`` and its kin): the case moves to the next stage
and the flow that carries that stage (``CaseFlow.of_stage``) starts, acting for whoever did
the last human step. The flows point at these functions, so nothing here imports a flow.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from advocacy.access.models import CaseShare
from advocacy.access.roles import supervises
from advocacy.access.selectors import can_change
from advocacy.accounts.models import Organisation, User
from advocacy.accounts.roles import is_case_staff
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases import services as cases
from advocacy.cases.models import Case

from .base import CaseFlow
from .bulk_start import bulk_startable, processes_create_many
from .models import CaseProcess, CaseTask
from .routing import last_actor

ERR_CANNOT_START = _("このケースの手続きを開始する権限がありません。")
ERR_RUNNING = _("このケースではこの手続きがすでに進行中です。")
ERR_ORGANISATION = _("担当組織は、ケースの組織か共有先の組織から選んでください。")
ERR_ONLY_SUPERVISOR = _("担当組織を変えられるのはスーパーバイザーです。")


def process_begin(
    activation,
    *,
    case: Case,
    actor: User | None,
    lead_organisation: Organisation | None = None,
    data: dict | None = None,
    audited: bool = True,
) -> CaseProcess:
    """Tie a starting process to case (the StartHandle of every flow).

    data, ids and codes only, is kept on the process for its steps (never personal data).
    audited False: the caller's own event names the start (``processes_start_new``).
    """
    process = activation.process
    process.case = case
    process.lead_organisation = lead_organisation or case.organisation
    if data:
        process.data = {**(process.data or {}), **data}
    activation.task.owner = actor
    if not audited:
        return process
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


def process_start(*, actor: User, case: Case, flow_class: type[CaseFlow], **kwargs) -> CaseProcess:
    """Start a process of flow_class on case unless one is running (in the caller's transaction)."""
    if not is_case_staff(actor) or not can_change(user=actor, case=case):
        raise PermissionDenied(ERR_CANNOT_START)
    # Lock the case row so two clicks cannot start two processes.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if running_process(case=case, flow_class=flow_class):
        raise ValidationError(ERR_RUNNING)
    return flow_class.start.run(case=case, actor=actor, **kwargs)


def processes_start_new(
    *, actor: User, starts: list[tuple[Case, type[CaseFlow]]]
) -> list[CaseProcess]:
    """Start one process on each case the actor has just opened in this transaction (a
    bulk import); each runs on like any other.

    What ``process_start`` checks is given here: the cases are new (none has a process
    running, nobody else can see them yet) and the actor opened them (the creator's
    grant). The event is the caller's one per case (decision 87). A flow whose first nodes
    ``bulk_start`` can write is started for all its cases at once (decision 107), any other
    through its own start, case by case. The processes come back in the order of starts.
    """
    if not is_case_staff(actor):
        raise PermissionDenied(ERR_CANNOT_START)
    by_flow: dict[type[CaseFlow], list[int]] = {}
    for index, (case, flow_class) in enumerate(starts):
        if case.organisation_id != actor.organisation_id or case.is_closed:
            raise PermissionDenied(ERR_CANNOT_START)
        by_flow.setdefault(flow_class, []).append(index)
    processes: list[CaseProcess | None] = [None] * len(starts)
    for flow_class, indexes in by_flow.items():
        if bulk_startable(flow_class, begin=process_begin):
            made = processes_create_many(
                actor=actor, flow_class=flow_class, cases=[starts[i][0] for i in indexes]
            )
        else:
            made = [
                flow_class.start.run(case=starts[i][0], actor=actor, audited=False) for i in indexes
            ]
        for index, process in zip(indexes, made, strict=True):
            processes[index] = process
    return [process for process in processes if process is not None]


def _chain(activation, *, stage: str) -> None:
    process = activation.process
    actor = last_actor(process)
    cases.case_set_stage(actor=actor, case=process.case, stage=stage)
    CaseFlow.of_stage(stage).start.run(
        case=process.case, actor=actor, lead_organisation=process.lead_organisation
    )


def start_coordination(activation) -> None:
    """Move the case to coordination and start that process."""
    _chain(activation, stage=Case.Stage.COORDINATION)


def start_team_support(activation) -> None:
    """Move the case to team support and start that process."""
    _chain(activation, stage=Case.Stage.TEAM_SUPPORT)


def start_guardian_support(activation) -> None:
    """Move the case to guardian support and start that process."""
    _chain(activation, stage=Case.Stage.GUARDIAN_SUPPORT)


def start_stage_flow(activation) -> None:
    """Start the flow of the stage the case is in now (after a ledger import's review).

    A closed case, or one whose stage's process already runs, gets none.
    """
    process = activation.process
    case = Case.objects.get(pk=process.case_id)
    if case.is_closed:
        return
    flow_class = CaseFlow.of_stage(case.stage)
    if running_process(case=case, flow_class=flow_class):
        return
    flow_class.start.run(
        case=case, actor=last_actor(process), lead_organisation=process.lead_organisation
    )


@transaction.atomic(durable=True)
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
