"""Events from outside a task's screens: a candidate's answer (the portal), a 支援調整会議's
decision (meetings), guardian support.

Each moves on the step that waits for it (a handle, the coordination step a candidate's
acceptance completes, or the conference step a meeting's minutes complete). These name the
flows' nodes, so they sit above the flow modules; no flow imports this module.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from advocacy.access.selectors import can_change
from advocacy.accounts.models import User
from advocacy.accounts.roles import is_case_staff
from advocacy.audit.actions import Action
from advocacy.cases.models import Case, Decision

from . import steps
from .coordination.flows import CoordinationFlow
from .guardian_support.flows import GuardianSupportFlow
from .processes import ERR_CANNOT_START
from .steps import ACCEPTED_BY
from .task_audit import task_audit

ERR_NOT_WAITING = _("このケースはその連絡を受け付ける段階にありません。")

# The events staff report from the case page (selectors.GUARDIAN_EVENTS), and their handles.
GUARDIAN_EVENT_NODES = {
    "contact": GuardianSupportFlow.await_contact,
    "fee_ruling": GuardianSupportFlow.await_fee_ruling,
    "change": GuardianSupportFlow.await_change,
    "closing": GuardianSupportFlow.await_closing,
    "support_end": GuardianSupportFlow.await_support_end,
}


def _open_task(case: Case, nodes, statuses=(STATUS.NEW,)) -> Task | None:
    """Return case's oldest task at one of nodes in one of statuses (a handle waits as NEW)."""
    return (
        Task.objects.filter(
            process__caseprocess__case=case, flow_task__in=nodes, status__in=statuses
        )
        .order_by("pk")
        .first()
    )


def _run_handle(*, case: Case, node, actor: User | None, **kwargs) -> None:
    # A concurrent event may take the waiting task first; look again once, then give up.
    for _attempt in range(2):
        task = _open_task(case, [node])
        if task is None:
            break
        try:
            node.run(task, **kwargs)
        except TransitionNotAllowed:
            continue
        task_audit(actor=actor, action=Action.TASK_COMPLETED, case=case, node=node)
        return
    raise ValidationError(ERR_NOT_WAITING)


# The appointment-coordination steps: a new guardianship's, and a guardian change's.
MATCHING_STEPS = (CoordinationFlow.matching, GuardianSupportFlow.change_matching)


def matching_step_open(*, case: Case) -> Task | None:
    """Return case's open appointment-coordination step, if one waits for a candidate."""
    return _open_task(case, MATCHING_STEPS, HUMAN_OPEN)


# A human step is open while it waits in the queue or with its owner.
HUMAN_OPEN = (STATUS.NEW, STATUS.ASSIGNED)


def _complete_waiting_step(*, case: Case, nodes, actor: User | None, work=None) -> None:
    """Complete case's open task at one of nodes for an event outside its page (not by hand).

    The actor is kept on the task (``steps.ACCEPTED_BY``): the appointment that follows is
    linked to the candidate who accepted. work(activation), when given, records what the
    event decided before the task completes (the gateway after it reads it).
    """
    for _attempt in range(2):
        task = _open_task(case, nodes, HUMAN_OPEN)
        if task is None:
            break
        with task.activation() as activation:
            if activation.task.status not in HUMAN_OPEN:
                continue  # completed meanwhile; look again
            if activation.task.status == STATUS.NEW:
                activation.assign(activation.task.owner)  # the queue's task: nobody's
            activation.start(None)
            if actor is not None:
                activation.task.data = {**(activation.task.data or {}), ACCEPTED_BY: actor.pk}
            if work is not None:
                work(activation)
            node = activation.flow_task
            task_audit(actor=actor, action=Action.TASK_COMPLETED, case=case, node=node)
            activation.execute()
        return
    raise ValidationError(ERR_NOT_WAITING)


# Not durable: the portal calls this inside its own transaction (the request's answer).


@transaction.atomic
def candidate_accepted(*, case: Case, actor: User | None = None) -> None:
    """Complete the appointment-coordination step: a candidate accepted; the petition follows.

    The step is a new guardianship's (coordination) or a guardian change's (guardian support).

    A decline or an expired request changes nothing here: the step stays open, with the
    requests so far on its page, until a candidate accepts.
    """
    _complete_waiting_step(case=case, nodes=MATCHING_STEPS, actor=actor)


# The case conference: a 支援調整会議's minutes decide it (meetings.services).
CONFERENCE_STEPS = (CoordinationFlow.conference,)


def conference_step_open(*, case: Case) -> Task | None:
    """Return case's open conference step, if one waits for a meeting's decision."""
    return _open_task(case, CONFERENCE_STEPS, HUMAN_OPEN)


# Not durable: the meeting's minutes are saved in the same transaction.


@transaction.atomic
def conference_decided(*, case: Case, decision: Decision, actor: User) -> None:
    """Complete case's conference step with the decision a 支援調整会議 recorded for it.

    One meeting decides several cases: each agenda item's decision completes its own case's
    step. Refused (ERR_NOT_WAITING) when the case has no conference step open.
    """
    if decision.case_id != case.pk:
        raise ValidationError(ERR_NOT_WAITING)
    _complete_waiting_step(
        case=case,
        nodes=CONFERENCE_STEPS,
        actor=actor,
        work=lambda activation: steps.conference_decided(activation=activation, decision=decision),
    )


def guardian_event_report(
    *, actor: User, case: Case, event: str, nested: bool = False, **kwargs
) -> None:
    """Report an event of guardian support: a request for help, a fee ruling, a change, a close.

    Its own transaction (durable) from the case page; ``nested`` inside a caller's (the
    reopening of a case).
    """
    with transaction.atomic(durable=not nested):
        if not is_case_staff(actor) or not can_change(user=actor, case=case):
            raise PermissionDenied(ERR_CANNOT_START)
        _run_handle(case=case, node=GUARDIAN_EVENT_NODES[event], actor=actor, **kwargs)
