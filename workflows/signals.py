"""Keep ``CaseTask.status`` and ``CaseTask.owner`` equal to viewflow's task row.

viewflow changes a task's status and owner only by saving the task (create, assign,
unassign, reassign, complete, cancel, error), always inside the flow's transaction; a
``post_save`` receiver therefore sees every change and writes the copy in that same
transaction. ``routing.case_task_create`` writes the first values.
"""

from __future__ import annotations

from viewflow.workflow.models import Task

from .models import CaseTask

HUMAN = "HUMAN"
_WATCHED = {"status", "owner", "owner_id"}


def task_saved(sender, instance: Task, created: bool = False, update_fields=None, **kwargs):
    if created or instance.flow_task_type != HUMAN:
        return
    if update_fields is not None and not _WATCHED & set(update_fields):
        return
    CaseTask.objects.filter(task_id=instance.pk).update(
        status=instance.status, owner_id=instance.owner_id
    )
