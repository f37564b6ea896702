"""What completing a step costs the database, and where its audit event falls (issue 20)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from tests.workflows.conftest import open_task, process_of, url

pytestmark = pytest.mark.django_db


def test_the_completion_event_comes_after_the_transition_in_the_same_transaction(
    walker, worker, case
):
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})

    coordination = process_of(case, "coordination")
    started = AuditEvent.objects.get(
        action=Action.PROCESS_STARTED, object_id=str(case.pk), label__endswith="coordination"
    )
    completed = AuditEvent.objects.get(
        action=Action.TASK_COMPLETED, object_id=str(case.pk), label__endswith="triage"
    )
    # The triage's transition started the next process; its own event is the last write, so
    # the transaction holds an audit chain's head only from there to the commit.
    assert coordination.pk
    assert completed.id > started.id
    assert (completed.chain, completed.sequence) == (started.chain, started.sequence + 1)


def test_a_completion_reads_the_view_permission_once_and_the_case_with_its_worker(
    walker, worker, case
):
    walker.start(worker, case)
    task = open_task(case, "consultation", "intake")
    client = walker.client(worker)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url(task, "execute"), {"confirmed": "on"})

    assert response.status_code == 302
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    permission_reads = [sql for sql in selects if sql.startswith('SELECT "auth_permission"."id"')]
    # Reads of the case's row (not the probes that only ask whether it may be seen).
    case_reads = [sql for sql in selects if sql.startswith('SELECT "cases_case"."id", ')]
    assert len(permission_reads) == 1  # the guard's probe, then the step's check reuses it
    assert len(case_reads) == 1
    assert '"accounts_user"' in case_reads[0]  # the next task's worker came with the case
    assert open_task(case, "consultation", "triage").owner_id == worker.pk
