"""Who does a task: the organisation and role it is routed to, and the worker it goes to.

Each human task is routed to its process's lead organisation and to a role (any caseworker,
``role=""``, or ``supervisor``). A caseworker's task goes at once to the case's worker when
that worker may still see the case (``case_worker``, given to ``.Assign``); otherwise it
waits in the organisation's queue.
"""

from __future__ import annotations

import datetime

from viewflow.workflow.models import Task

from advocacy.accounts.models import User
from advocacy.cases.models import Case
from advocacy.cases.selectors import cases_visible_to

from .models import NAMED_OWNER, CaseProcess, CaseTask


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


def _candidate(process: CaseProcess) -> User | None:
    """The case's worker, if active and of the organisation that leads the process."""
    worker = process.case.assigned_worker
    if worker is None or not worker.is_active:
        return None
    if worker.organisation_id != process.lead_organisation_id:
        return None
    return worker


def case_worker(activation) -> User | None:
    """Return the case's worker when they may do the step (used by ``.Assign``), else None."""
    process = activation.process
    if not CaseProcess.case.is_cached(process):
        # The case and its worker in one query (a completion has not loaded the case yet).
        process.case = Case.objects.select_related("assigned_worker").get(pk=process.case_id)
    worker = _candidate(process)
    if worker is None or not cases_visible_to(user=worker).filter(pk=process.case_id).exists():
        return None
    return worker


def case_workers(processes: list[CaseProcess]) -> dict[object, User]:
    """``case_worker`` for many processes at once (a bulk start): case id → the worker who
    may do its steps, one visibility query a worker. Cases are read as loaded."""
    by_worker: dict[User, list[object]] = {}
    for process in processes:
        worker = _candidate(process)
        if worker is not None:
            by_worker.setdefault(worker, []).append(process.case_id)
    found: dict[object, User] = {}
    for worker, case_ids in by_worker.items():
        visible = cases_visible_to(user=worker).filter(pk__in=case_ids)
        found.update((pk, worker) for pk in visible.values_list("pk", flat=True))
    return found


def last_actor(process: CaseProcess) -> User | None:
    """Return who did the latest human step of process (machine steps act for them)."""
    task = (
        Task.objects.filter(process_id=process.pk, owner__isnull=False, finished__isnull=False)
        .select_related("owner")
        .order_by("-finished", "-pk")
        .first()
    )
    return task.owner if task else None


def named_owner(activation) -> User | None:
    """Return the worker a process was started for (its data's owner), while they may do it."""
    owner_id = (activation.process.data or {}).get(NAMED_OWNER)
    worker = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
    if worker is None or worker.organisation_id != activation.process.lead_organisation_id:
        return None
    if not cases_visible_to(user=worker).filter(pk=activation.process.case_id).exists():
        return None
    return worker
