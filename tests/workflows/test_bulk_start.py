"""Processes started in bulk are the rows each flow's own start writes (decision 107).

For every flow whose first nodes ``bulk_start`` writes, two cases alike are started, one
through the flow's own ``start`` (viewflow's activations) and one through
``processes_start_new``, and everything the start wrote is compared: the process, each task
(node, kind, status, owner, token, data, dates set or not, the tasks before it) and each
human task's routing and due date. The cases vary in what the first nodes decide on: an
urgent case (the consultation's split), a case whose worker may see it (the step is theirs)
and one whose worker may not (it waits in the queue).
"""

from __future__ import annotations

import re

import pytest
from viewflow.workflow.models import Task

from advocacy.accounts.roles import Role
from advocacy.cases.models import Case
from tests import factories
from workflows.base import CaseFlow
from workflows.bulk_start import bulk_startable
from workflows.consultation.flows import ConsultationFlow
from workflows.guardian_support.flows import GuardianSupportFlow
from workflows.ledger_review.flows import LedgerReviewFlow
from workflows.models import CaseProcess, CaseTask
from workflows.processes import process_begin, processes_start_new

from .conftest import Walker, open_names

pytestmark = pytest.mark.django_db


def _flows() -> list[type[CaseFlow]]:
    found, todo = [], list(CaseFlow.__subclasses__())
    while todo:
        flow_class = todo.pop()
        todo.extend(flow_class.__subclasses__())
        found.append(flow_class)
    return sorted(found, key=lambda f: f.__name__)


BULK = [f for f in _flows() if bulk_startable(f, begin=process_begin)]


def test_the_flows_a_ledger_starts_in_bulk_are_bulk_startable():
    # The consultation (split, urgent branch), the ledger's review and team support are
    # what an import starts most; guardian support's first nodes (timers, event handles)
    # are not written in bulk and go through its own start.
    names = {f.__name__ for f in BULK}
    assert {"ConsultationFlow", "LedgerReviewFlow", "TeamSupportFlow"} <= names
    assert "GuardianSupportFlow" not in names


# Compared as set or not: the moment a row was written differs between any two starts.
MOMENTS = {"created", "assigned", "started", "finished"}
# The row's own id and the ids pointing at its process or case: compared through ordinal
# (tokens, previous) and by construction (each task's process is the one snapshotted).
OWN_IDS = {"id", "process", "process_ptr", "case", "task"}


def _columns(row, ordinal) -> dict:
    """Every stored column of row, moments as set or not, ids as they relate."""
    values = {}
    for f in type(row)._meta.concrete_fields:
        if f.name in OWN_IDS:
            continue
        value = getattr(row, f.attname)
        if f.name in MOMENTS:
            value = value is not None
        elif f.name == "token":
            value = re.sub(r"/(\d+)_", lambda m: f"/#{ordinal[int(m.group(1))]}_", str(value))
        values[f.name] = value
    return values


def _snapshot(process: CaseProcess) -> dict:
    """Everything a start wrote: the process, its tasks with their links, their routing."""
    tasks = list(Task.objects.filter(process_id=process.pk).order_by("pk"))
    ordinal = {task.pk: n for n, task in enumerate(tasks)}
    rows = []
    for task in tasks:
        routed = CaseTask.objects.filter(task_id=task.pk).first()
        rows.append(
            {
                **_columns(task, ordinal),
                "previous": sorted(ordinal[p.pk] for p in task.previous.all()),
                "routed": None
                if routed is None
                else {**_columns(routed, ordinal), "case": routed.case_id == process.case_id},
            }
        )
    process = CaseProcess.objects.get(pk=process.pk)
    return {"process": _columns(process, ordinal), "tasks": rows}


def _pair(worker, variant, other_worker):
    cases = [factories.case_for(worker) for _ in range(2)]
    ids = [c.pk for c in cases]
    if variant == "urgent":
        Case.objects.filter(pk__in=ids).update(urgency=Case.Urgency.URGENT)
    if variant == "worker cannot see it":
        Case.objects.filter(pk__in=ids).update(assigned_worker=other_worker)
    return [Case.objects.select_related("assigned_worker").get(pk=pk) for pk in ids]


@pytest.mark.parametrize("variant", ["plain", "urgent", "worker cannot see it"])
@pytest.mark.parametrize("flow_class", BULK, ids=lambda f: f.__name__)
def test_a_bulk_start_writes_what_the_flows_own_start_writes(users_by_role, flow_class, variant):
    worker = users_by_role["city_caseworker"]
    other = factories.user(Role.CITY_CASEWORKER, organisation=worker.organisation)
    own_case, bulk_case = _pair(worker, variant, other)
    own = flow_class.start.run(case=own_case, actor=worker, audited=False)
    (bulk,) = processes_start_new(actor=worker, starts=[(bulk_case, flow_class)])
    assert _snapshot(bulk) == _snapshot(own)
    assert bulk.case_id == bulk_case.pk


def test_the_consultation_split_is_decided_per_case_in_one_batch(users_by_role):
    worker = users_by_role["city_caseworker"]
    plain = factories.case_for(worker)
    urgent = factories.case_for(worker)
    Case.objects.filter(pk=urgent.pk).update(urgency=Case.Urgency.URGENT)
    batch = [Case.objects.select_related("assigned_worker").get(pk=c.pk) for c in (plain, urgent)]
    processes_start_new(actor=worker, starts=[(c, ConsultationFlow) for c in batch])
    assert open_names(plain) == ["intake"]
    assert open_names(urgent) == ["intake", "urgent_review"]


def test_a_mixed_batch_keeps_its_order_and_starts_the_others_one_by_one(users_by_role):
    worker = users_by_role["city_caseworker"]
    flows = [ConsultationFlow, GuardianSupportFlow, LedgerReviewFlow, ConsultationFlow]
    batch = [factories.case_for(worker) for _ in flows]
    processes = processes_start_new(actor=worker, starts=list(zip(batch, flows, strict=True)))
    assert [p.case_id for p in processes] == [c.pk for c in batch]
    assert [p.flow_class for p in processes] == flows
    # Guardian support went through its own start: its timer is scheduled.
    assert Task.objects.filter(
        process_id=processes[1].pk, flow_task=GuardianSupportFlow.review_timer
    ).exists()


def test_a_bulk_started_consultation_goes_on_through_its_steps(users_by_role):
    worker = users_by_role["city_caseworker"]
    case = factories.case_for(worker)
    processes_start_new(actor=worker, starts=[(case, ConsultationFlow)])
    walker = Walker()
    walker.step(worker, case, "consultation", "intake")
    assert open_names(case) == ["triage"]
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})
    case.refresh_from_db()
    assert case.stage == Case.Stage.COORDINATION
