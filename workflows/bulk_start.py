"""Starting many processes at once: the rows viewflow's own start would write, in bulk.

A ledger import opens thousands of cases in one transaction, each with a process at its
stage (decision 87). Through each flow's ``start`` that costs about ten round trips and a
few milliseconds of activations a case, two thirds of the import. Here a batch's processes
are written one insert a kind and a wave: the processes, their start tasks, then each next
node's tasks, their links to the task before, and the human tasks' routing rows.

Only flows whose first nodes are all of the kinds below are started this way: a
``StartHandle`` whose next node is a ``Split`` (its conditions evaluated on each process, as
viewflow does) or one of our human tasks (``CaseView``: routed with its role and due date,
given to the case's worker when ``routing.case_workers`` says so, the batch form of
``case_worker``). Anything else among the first nodes (a timer, an event handle, a function,
a join, a hook on creation) sends that flow back to its own start, one process at a time
(``bulk_startable``, asked by ``processes.processes_start_new``). The rows must be those the
flow's own start writes; ``tests/workflows/test_bulk_start.py`` compares them for every flow
a case can start with.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from viewflow.workflow import flow
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from advocacy.accounts.models import User
from advocacy.cases.models import Case

from . import routing
from .base import CaseFlow
from .models import CaseProcess, CaseTask
from .nodes import CaseView, CaseViewActivation


def _node_bulkable(node: Any) -> bool:
    if type(node) is flow.Split:
        return all(
            data_source is None and _node_bulkable(branch)
            for branch, _condition, data_source in node._branches
        )
    return (
        isinstance(node, CaseView)
        and node.activation_class is CaseViewActivation
        and node._owner in (None, routing.case_worker)
        and not node._owner_permission
        and node._on_create is None
        and not node._boundary_events
    )


def bulk_startable(flow_class: type[CaseFlow], *, begin: Callable) -> bool:
    """Whether a start of flow_class calls begin (``processes.process_begin``, whose
    effect ``processes_create_many`` repeats) and every node it reaches before a person
    acts is one this module writes as viewflow would."""
    start = flow_class.start
    return (
        type(start) is flow.StartHandle
        and start._func is begin
        and start._task_data is None
        and start._task_seed is None
        and start._next is not None
        and _node_bulkable(start._next)
    )


@dataclass
class _Pending:
    """A node to create a task of, in one process, after the task prev with token."""

    node: Any
    process: CaseProcess
    prev: Task
    token: Token


@dataclass
class _Wave:
    tasks: list[Task] = field(default_factory=list)
    links: list[tuple[Task, Task]] = field(default_factory=list)
    routed: list[CaseTask] = field(default_factory=list)


def _write(wave: _Wave) -> None:
    Task.objects.bulk_create(wave.tasks)
    Task.previous.through.objects.bulk_create(
        [Task.previous.through(from_task_id=t.pk, to_task_id=p.pk) for t, p in wave.links]
    )
    for routed in wave.routed:
        routed.task_id = routed.task.pk
    CaseTask.objects.bulk_create(wave.routed)


def processes_create_many(
    *, actor: User, flow_class: type[CaseFlow], cases: Iterable[Case]
) -> list[CaseProcess]:
    """Write a started process of flow_class on each case, as ``flow_class.start.run`` would
    with ``process_begin(case=…, actor=actor, audited=False)`` (the caller checks and audits).

    Each case's ``assigned_worker`` is read as loaded (select it with the cases).
    """
    cases = list(cases)
    if not cases:
        return []
    start = flow_class.start
    now = timezone.now()
    parents = Process.objects.bulk_create(
        [Process(flow_class=flow_class, data={}, created=now) for _ in cases]
    )
    processes = []
    for parent, case in zip(parents, cases, strict=True):
        process = CaseProcess(
            id=parent.pk,
            process_ptr_id=parent.pk,
            flow_class=flow_class,
            data={},
            created=now,
            status=parent.status,
            case=case,
            lead_organisation_id=case.organisation_id,
        )
        processes.append(process)
    # The child table's rows, for the parents just inserted (Django's bulk_create refuses a
    # model with a concrete parent; this is the insert it would make for the child alone).
    CaseProcess.objects._insert(processes, fields=CaseProcess._meta.local_concrete_fields)
    for process in processes:
        process._state.adding = False
        process._state.db = parents[0]._state.db

    starts = [
        Task(
            flow_task=start,
            flow_task_type=start.task_type,
            process=process,
            started=now,
            finished=now,
            status=STATUS.DONE,
            owner=actor,
            token=Token("start"),
            data={},
        )
        for process in processes
    ]
    Task.objects.bulk_create(starts)
    workers = routing.case_workers(processes)
    pending = [
        _Pending(node=start._next, process=process, prev=task, token=task.token)
        for process, task in zip(processes, starts, strict=True)
    ]
    while pending:
        pending = _next_wave(pending, workers=workers, now=now)
    return processes


def _next_wave(
    pending: list[_Pending], *, workers: dict[object, User], now: datetime.datetime
) -> list[_Pending]:
    """Create the tasks of pending in one wave; return what the new splits lead to."""
    wave = _Wave()
    splits: list[tuple[Task, _Pending]] = []
    for item in pending:
        task = Task(
            flow_task=item.node,
            flow_task_type=item.node.task_type,
            process=item.process,
            token=item.token,
            data={},
        )
        wave.tasks.append(task)
        wave.links.append((task, item.prev))
        if isinstance(item.node, flow.Split):
            # A split is created, activated and completed in the same start.
            task.status = STATUS.DONE
            task.finished = now
            splits.append((task, item))
            continue
        worker = workers.get(item.process.case_id) if item.node._owner else None
        if worker is not None:
            task.owner = worker
            task.status = STATUS.ASSIGNED
        activation = CaseViewActivation(task)
        wave.routed.append(
            CaseTask(
                task=task,
                case_id=item.process.case_id,
                organisation_id=item.process.lead_organisation_id,
                role=item.node.role,
                due_on=item.node.calc_due(activation),
                status=task.status,
                owner_id=task.owner_id,
            )
        )
    _write(wave)
    following: list[_Pending] = []
    for task, item in splits:
        activation = item.node.activation_class(task)
        branches = [
            branch
            for branch, condition, _data_source in item.node._branches
            if not condition or condition(activation)
        ]
        if not branches:
            raise RuntimeError(f"No next task available for {item.node.name}")
        # viewflow puts a split's joins last; a bulk-started flow has none (_node_bulkable).
        tokens = Token.split_token_source(task.token, task.pk)
        following.extend(
            _Pending(node=branch, process=item.process, prev=task, token=next(tokens))
            for branch in branches
        )
    return following
