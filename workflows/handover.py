"""Staff handover (人事異動): a worker's cases and open tasks go to colleagues in one act.

A supervisor hands over every open case whose worker is the leaving worker, to one colleague
or case by case: the case's worker changes and the colleague is granted the staff
permissions (``cases.services.case_worker_change``), the leaving worker's open tasks on it
go to the colleague through viewflow's own reassignment under the process lock
(``assignment.task_reassign``, as a supervisor's single reassignment does), and the leaving
worker's grant on it is revoked unless the supervisor keeps it (for all cases or some). The
leaving worker's other open tasks (on cases someone else works) go back to the
organisation's queue, and so does a task the colleague may not do (a supervisor's step).
One ``STAFF_HANDOVER`` event records the act; each case has its ``CASE_REASSIGNED`` event
naming it (the grants, revocations and tasks have their own events, as always).

A deactivated account's release (``user_release``) is the same without a colleague: every
grant revoked, every open task back in the queue. ``accounts.services.user_deactivate``
runs it through ``accounts.hooks`` (accounts may not import this layer).

The reads the handover screens show (``handover_workers``, ``handover_plan``,
``handover_receivers``) are here beside the service, filtered in SQL by the supervisor's
organisation.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from advocacy.access import services as access
from advocacy.access.selectors import grants_of
from advocacy.accounts.models import User
from advocacy.accounts.roles import STAFF_ROLES, Role, has_role, is_case_staff
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.audit.services import audit_record
from advocacy.cases import services as case_services
from advocacy.cases.models import Case

from . import assignment
from .models import CaseTask
from .selectors import assignable_workers

ERR_NOT_SUPERVISOR = _("担当の引継ぎができるのはスーパーバイザーです。")
ERR_NO_REASON = _("引継ぎの理由を入力してください。")
ERR_NOTHING = _("この職員には引き継ぐケースもタスクもありません。")
ERR_RECEIVER_SELF = _("引き継ぐ職員本人は引継ぎ先に選べません。")
ERR_RECEIVER_INACTIVE = _("無効になったアカウントには引き継げません。")
ERR_RECEIVER_ORGANISATION = _("他の組織の職員には引き継げません。同じ組織の職員を選んでください。")
ERR_RECEIVER_NOT_STAFF = _("引継ぎ先は、ケースを担当できる市・社協の職員から選んでください。")
ERR_NO_RECEIVER = _("引継ぎ先が選ばれていないケースがあります: {numbers}")
ERR_CHANGED = _(
    "確認した後に引き継ぐケースが変わりました（新しい担当や終結）。もう一度確認してください。"
)

RELEASE_REASON = "アカウントの無効化"
# One organisation's staff: tens of people; the list is bounded all the same.
WORKERS_LIMIT = 500


# Reads for the screens


@dataclass
class WorkerRow:
    """A worker the supervisor may hand over, with what they hold in the organisation."""

    user: User
    cases: int
    tasks: int


@dataclass
class PlanCase:
    case: Case
    tasks: int


@dataclass
class HandoverPlan:
    """What a handover of worker would move, as it stands now."""

    worker: User
    cases: list[PlanCase] = field(default_factory=list)
    # Open tasks of the worker on cases someone else works: they go to the queue.
    other_tasks: int = 0

    @property
    def task_count(self) -> int:
        return sum(row.tasks for row in self.cases) + self.other_tasks

    @property
    def case_ids(self) -> list[uuid.UUID]:
        return [row.case.pk for row in self.cases]


def _require_supervisor(actor: User) -> uuid.UUID:
    """Refuse anyone but a supervisor; return their organisation's id."""
    organisation_id = actor.organisation_id
    if not is_case_staff(actor) or not has_role(actor, Role.SUPERVISOR) or not organisation_id:
        raise PermissionDenied(ERR_NOT_SUPERVISOR)
    return organisation_id


def _open_cases(actor: User) -> QuerySet[Case]:
    return Case.objects.filter(organisation_id=_require_supervisor(actor)).exclude(
        stage=Case.Stage.CLOSED
    )


def _cases_of(actor: User, worker: User) -> QuerySet[Case]:
    return _open_cases(actor).filter(assigned_worker_id=worker.pk).order_by("opened_on", "number")


def _held_tasks(actor: User, worker: User) -> QuerySet[CaseTask]:
    """The worker's open tasks routed to actor's organisation (read on the "mine" index)."""
    return CaseTask.objects.filter(
        owner_id=worker.pk, status=STATUS.ASSIGNED, organisation_id=_require_supervisor(actor)
    )


def handover_workers(*, actor: User) -> list[WorkerRow]:
    """Return actor's organisation's staff and anyone working its open cases, with counts.

    Deactivated accounts are listed too: their cases still wait for a colleague.
    """
    organisation_id = _require_supervisor(actor)
    case_counts = dict(
        _open_cases(actor)
        .filter(assigned_worker__isnull=False)
        .values("assigned_worker_id")
        .annotate(n=Count("pk"))
        .values_list("assigned_worker_id", "n")
    )
    task_counts = dict(
        CaseTask.objects.filter(status=STATUS.ASSIGNED, organisation_id=organisation_id)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    staff = Q(organisation_id=organisation_id, groups__name__in=[r.value for r in STAFF_ROLES])
    users = (
        User.objects.filter(staff | Q(pk__in=list(case_counts)))
        .distinct()
        .order_by("-is_active", "last_name", "first_name", "pk")[:WORKERS_LIMIT]
    )
    return [
        WorkerRow(user=user, cases=case_counts.get(user.pk, 0), tasks=task_counts.get(user.pk, 0))
        for user in users
    ]


def handover_worker_get(*, actor: User, worker_id: object) -> User:
    """Return the worker named by worker_id if actor may hand them over; else Http404."""
    _require_supervisor(actor)
    try:
        pk = int(str(worker_id))
    except ValueError:
        raise Http404 from None
    for row in handover_workers(actor=actor):
        if row.user.pk == pk:
            return row.user
    raise Http404


def handover_plan(*, actor: User, worker: User) -> HandoverPlan:
    """Return worker's open cases in actor's organisation, each with worker's open tasks."""
    _require_supervisor(actor)
    per_case = dict(
        _held_tasks(actor, worker)
        .values("case_id")
        .annotate(n=Count("pk"))
        .values_list("case_id", "n")
    )
    plan = HandoverPlan(worker=worker)
    for case in _cases_of(actor, worker):
        plan.cases.append(PlanCase(case=case, tasks=per_case.pop(case.pk, 0)))
    plan.other_tasks = sum(per_case.values())
    return plan


def handover_receivers(*, actor: User, worker: User) -> QuerySet[User]:
    """Return the colleagues a handover may go to: active staff of actor's organisation."""
    organisation_id = _require_supervisor(actor)
    return (
        User.objects.filter(
            is_active=True,
            organisation_id=organisation_id,
            groups__name__in=[r.value for r in STAFF_ROLES],
        )
        .exclude(pk=worker.pk)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# The service


@dataclass
class HandoverResult:
    event: AuditEvent
    cases: int
    tasks_moved: int
    tasks_queued: int


def _check_receiver(actor: User, worker: User, receiver: User) -> None:
    if receiver.pk == worker.pk:
        raise ValidationError(ERR_RECEIVER_SELF)
    if not receiver.is_active:
        raise ValidationError(ERR_RECEIVER_INACTIVE)
    if receiver.organisation_id != actor.organisation_id:
        raise ValidationError(ERR_RECEIVER_ORGANISATION)
    if not is_case_staff(receiver):
        raise ValidationError(ERR_RECEIVER_NOT_STAFF)


def _task_move(*, actor: User | None, worker: User, task_id: int, to: User | None) -> bool:
    """Give one of worker's open tasks to ``to`` (None: the queue), under its process's lock.

    Returns whether it went to ``to``: a task ``to`` may not do (a supervisor's step, for a
    caseworker) goes to the queue instead. A task no longer the worker's is left alone.
    """
    task = Task.objects.get(pk=task_id)
    flow_class = task.flow_task.flow_class
    with flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status != STATUS.ASSIGNED or task.owner_id != worker.pk:
            return False
        activation = task.flow_task.activation_class(task)
        if to is not None and to.pk in {user.pk for user in assignable_workers(task=task)}:
            assignment.task_reassign(actor=actor, activation=activation, worker=to)
            return True
        assignment.task_unassign(actor=actor, activation=activation)
        return False


def _keeps(keep_access: bool | Collection[uuid.UUID], case: Case) -> bool:
    if isinstance(keep_access, bool):
        return keep_access
    return case.pk in keep_access


@transaction.atomic(durable=True)
def worker_hand_over(
    *,
    actor: User,
    worker: User,
    to: User | None = None,
    by_case: Mapping[uuid.UUID, User] | None = None,
    keep_access: bool | Collection[uuid.UUID] = False,
    confirmed_cases: Collection[uuid.UUID] | None = None,
    reason: str,
) -> HandoverResult:
    """Hand over all of worker's open cases and open tasks in actor's organisation.

    ``to`` takes every case, ``by_case`` (case id → colleague) the cases it names (the rest
    go to ``to``); every case needs a colleague. ``keep_access`` True keeps the worker's
    grants on all the cases, a collection of case ids on those. ``confirmed_cases``, the ids
    the supervisor confirmed, refuses the act if the worker's open cases are no longer those.
    Nothing moves unless everything can: every refusal is raised before the first write.
    """
    _require_supervisor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(ERR_NO_REASON)
    by_case = dict(by_case or {})
    for colleague in {*by_case.values(), *([to] if to is not None else [])}:
        _check_receiver(actor, worker, colleague)

    # Locked: a case given to the worker meanwhile would otherwise be left behind unseen.
    case_rows = list(_cases_of(actor, worker).select_for_update())
    case_ids = {case.pk for case in case_rows}
    changed = confirmed_cases is not None and set(confirmed_cases) != case_ids
    if changed or set(by_case) - case_ids:
        raise ValidationError(ERR_CHANGED)
    missing = [case.number for case in case_rows if by_case.get(case.pk, to) is None]
    if missing:
        raise ValidationError(ERR_NO_RECEIVER.format(numbers="、".join(missing)))
    receivers: dict[uuid.UUID, User] = {
        case.pk: receiver
        for case in case_rows
        if (receiver := by_case.get(case.pk, to)) is not None
    }
    held = list(_held_tasks(actor, worker).order_by("task__process_id", "task_id"))
    if not case_rows and not held:
        raise ValidationError(ERR_NOTHING)

    kept = sum(1 for case in case_rows if _keeps(keep_access, case))
    colleagues = sorted({receiver.pk for receiver in receivers.values()})
    event = audit_record(
        actor=actor,
        action=Action.STAFF_HANDOVER,
        obj=worker,
        label=f"user:{worker.pk}",
        reason=(
            f"{reason} [cases {len(case_rows)}, tasks {len(held)}, to {colleagues}, "
            f"access kept on {kept}]"
        ),
    )
    case_reason = f"{reason} [handover {event.pk}]"
    grants = grants_of(user=worker)
    for case in case_rows:
        case_services.case_worker_change(
            actor=actor, case=case, worker=receivers[case.pk], reason=case_reason
        )
        held_here = grants.get(case.pk, frozenset()) & access.STAFF_PERMISSIONS
        if held_here and not _keeps(keep_access, case):
            access.revoke(
                actor=actor, case=case, user=worker, permissions=held_here, reason=case_reason
            )

    moved = queued = 0
    for row in held:
        if _task_move(
            actor=actor, worker=worker, task_id=row.task_id, to=receivers.get(row.case_id)
        ):
            moved += 1
        else:
            queued += 1
    return HandoverResult(event=event, cases=len(case_rows), tasks_moved=moved, tasks_queued=queued)


def user_release(*, actor: User | None, user: User) -> None:
    """Take every grant and open task away from a deactivated account (in its transaction).

    Registered on ``accounts.hooks.on_user_deactivated``. The tasks go back to the queue of
    the organisation they are routed to, where colleagues can take them.
    """
    grants = grants_of(user=user)
    for case in Case.objects.filter(pk__in=list(grants)).order_by("pk"):
        access.revoke(
            actor=actor,
            case=case,
            user=user,
            permissions=grants[case.pk],
            reason=RELEASE_REASON,
            check_actor=False,
        )
    rows = CaseTask.objects.filter(owner_id=user.pk, status=STATUS.ASSIGNED)
    for task_id in rows.order_by("task__process_id", "task_id").values_list("task_id", flat=True):
        _task_move(actor=actor, worker=user, task_id=task_id, to=None)
