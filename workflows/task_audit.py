"""How an action on a task is audited: one label, one event, inside the action's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from advocacy.accounts.models import User
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases.models import Case

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def task_audit(*, actor: User | None, action: Action, case: Case, node, reason: str = "") -> None:
    """Append the audit event of action on case's task at node, in the caller's transaction."""
    audit_record(
        actor=actor,
        action=action,
        obj=case,
        label=f"{case.number} {node.name}"[:100],
        reason=reason,
    )


def task_refusal_record(
    *,
    actor: User | AnonymousUser,
    flow_slug: str,
    process_pk: object,
    task_pk: object,
    reason: str,
) -> None:
    """Audit a refused task or process URL (the guard's 404, 403 and 409 answers)."""
    # Durable: the guard records a refusal after the flow's own transaction has ended.
    with transaction.atomic(durable=True):
        audit_record(
            actor=actor,
            action=Action.TASK_REFUSED,
            label=f"{flow_slug}/{process_pk}/{task_pk}",
            reason=reason,
        )
