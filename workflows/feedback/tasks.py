"""Open, complete and cancel a case's feedback task; called by ``advocacy.outreach``.

Sits above the feedback flow (it names it). Each runs in the caller's transaction: the
feedback record and its task change together.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from advocacy.accounts.models import User
from advocacy.audit.actions import Action
from advocacy.cases.models import Case
from workflows.models import CaseProcess
from workflows.task_audit import task_audit

from .flows import FeedbackFlow

ERR_NO_TASK = _("この経過報告の手順はすでに終わっています。")
HUMAN_OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


@transaction.atomic
def feedback_task_open(
    *, case: Case, actor: User | None, milestone: str, due_on: datetime.date
) -> CaseProcess:
    """Start a feedback process for milestone of case: one task for the worker, due on due_on."""
    return FeedbackFlow.start.run(case=case, actor=actor, milestone=milestone, due_on=due_on)


def _open_task(process: CaseProcess) -> Task | None:
    return (
        Task.objects.filter(process_id=process.pk, flow_task=FeedbackFlow.tell)
        .filter(status__in=HUMAN_OPEN)
        .first()
    )


@transaction.atomic
def feedback_task_complete(*, process: CaseProcess, actor: User) -> None:
    """Complete process's feedback task: the feedback was recorded."""
    task = _open_task(process)
    if task is None:
        raise ValidationError(ERR_NO_TASK)
    with task.activation() as activation:
        if activation.task.status == STATUS.NEW:
            activation.assign(actor)
        if activation.task.status == STATUS.ASSIGNED:
            activation.start(None)
        task_audit(
            actor=actor, action=Action.TASK_COMPLETED, case=process.case, node=task.flow_task
        )
        activation.execute()


@transaction.atomic
def feedback_task_cancel(*, process: CaseProcess) -> bool:
    """Cancel process and its open task (consent withdrawn); False if it was already over."""
    if process.status in (PROCESS.DONE, PROCESS.CANCELED):
        return False
    FeedbackFlow.instance.cancel(process)
    return True
