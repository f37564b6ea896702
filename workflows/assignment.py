"""Who holds a task: taking it from the queue, giving it back, a supervisor's reassignment.

Each runs inside the flow's lock and transaction (viewflow's task view), so each is a
savepoint that writes its audit event with the change, not a durable transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import STATUS

from advocacy.accounts.models import User
from advocacy.audit.actions import Action

from .selectors import assignable_workers
from .task_audit import task_audit

ERR_WORKER = _("担当者は、この組織でこのケースを見られる職員から選んでください。")


def _audit(actor: User | None, activation, reason: str) -> None:
    task_audit(
        actor=actor,
        action=Action.TASK_ASSIGNED,
        case=activation.process.case,
        node=activation.flow_task,
        reason=reason,
    )


@transaction.atomic
def task_assign(*, actor: User, activation) -> None:
    """Give the task to actor, who takes it from the organisation's queue.

    A task still held by a deactivated account is in the queue too (``selectors``), and is
    taken the same way; any other held task is refused by viewflow's transition.
    """
    owner = activation.task.owner
    if activation.task.status == STATUS.ASSIGNED and owner is not None and not owner.is_active:
        activation.reassign(actor)
    else:
        activation.assign(actor)
    _audit(actor, activation, f"worker {actor.pk}")


@transaction.atomic
def task_unassign(*, actor: User | None, activation) -> None:
    """Put the task back in the organisation's queue."""
    activation.unassign()
    _audit(actor, activation, "unassigned")


@transaction.atomic
def task_reassign(*, actor: User | None, activation, worker: User) -> None:
    """Give a task to worker of its organisation (a supervisor's decision)."""
    if worker.pk not in {user.pk for user in assignable_workers(task=activation.task)}:
        raise ValidationError(ERR_WORKER)
    if activation.task.status == STATUS.NEW:
        activation.assign(worker)
    else:
        activation.reassign(worker)
    _audit(actor, activation, f"worker {worker.pk}")
