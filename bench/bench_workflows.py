"""Benchmark the inbox, queue and overdue lists at scale.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/bench_workflows.py [processes] [tasks each]
(defaults 100000 and 10: 100,000 processes, 1,000,000 tasks). A quick run: … 2000 10.

Uses a database of its own (bench/benchdb.py): a throw-away PostgreSQL database created
next to DATABASE_URL and dropped afterwards (or a temporary SQLite file). BENCH_KEEP=1 keeps
it; BENCH_REUSE=<db> BENCH_REUSE_KEYS=<key file> measures a kept one again without building
(migrations not yet applied to it are applied first). Rows are bulk-inserted: one person,
cases pointing at it, processes with nine finished tasks and one open task each.
"""

from __future__ import annotations

import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402

PROCESSES = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
TASKS_PER_PROCESS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
IS_PG = benchdb.setup("workflows")

from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

BATCH = 5_000


def timed(label: str, func, repeat: int = 7) -> float:
    func()  # warm up
    times = []
    for _i in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    print(f"  {label:<46} {median:8.1f} ms (median of {repeat})")
    return median


def build() -> dict:
    from django.contrib.auth.models import Permission
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import PROCESS, STATUS

    from advocacy.access.models import CaseUserObjectPermission
    from advocacy.accounts.models import Organisation
    from advocacy.accounts.roles import Role
    from advocacy.cases.models import Case
    from tests import factories
    from workflows.consultation.flows import ConsultationFlow
    from workflows.models import CaseTask

    city = factories.organisation(Organisation.Kind.CITY_OFFICE, name="ベンチ市")
    council = factories.organisation(Organisation.Kind.COUNCIL_CENTRE, name="ベンチ社協")
    workers = [
        factories.user(Role.CITY_CASEWORKER, organisation=city, username=f"bench_worker{i}")
        for i in range(40)
    ]
    supervisor = factories.user(
        Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city, username="bench_supervisor"
    )
    council_worker = factories.user(
        Role.COUNCIL_CASEWORKER, organisation=council, username="bench_council"
    )
    seed_case = factories.case_for(workers[0])  # one real person and data key to point at
    view_case = Permission.objects.get(codename="view_case", content_type__app_label="cases")

    nodes = [ConsultationFlow.intake, ConsultationFlow.triage, ConsultationFlow.refer]
    closing = ConsultationFlow.approve_close
    today = timezone.localdate()
    rng = random.Random(7)
    print(f"building {PROCESSES:,} processes × {TASKS_PER_PROCESS} tasks …")
    start = time.perf_counter()
    for offset in range(0, PROCESSES, BATCH):
        count = min(BATCH, PROCESSES - offset)
        with transaction.atomic():
            cases = Case.objects.bulk_create(
                [
                    Case(
                        number=f"B{offset + i:07d}",
                        fiscal_year=2000 + (offset + i) // 1_000_000,
                        serial=(offset + i) % 1_000_000 + 10,
                        person_id=seed_case.person_id,
                        organisation=city if i % 5 else council,
                        controller="city",
                        purpose="core_agency",
                        opened_on=today,
                        assigned_worker=workers[i % len(workers)] if i % 5 else None,
                    )
                    for i in range(count)
                ]
            )
            CaseUserObjectPermission.objects.bulk_create(
                [
                    CaseUserObjectPermission(
                        user=case.assigned_worker, permission=view_case, content_object=case
                    )
                    for case in cases
                    if case.assigned_worker_id
                ]
            )
            processes = Process.objects.bulk_create(
                [Process(flow_class=ConsultationFlow, status=PROCESS.NEW) for _c in cases]
            )
            # CaseProcess is a child table of Process: bulk_create cannot write both.
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO workflows_caseprocess "
                    "(process_ptr_id, case_id, lead_organisation_id, route, answer) "
                    "VALUES (%s, %s, %s, '', '')",
                    [
                        (
                            p.pk,
                            c.pk.hex if connection.vendor == "sqlite" else c.pk,
                            c.organisation_id.hex
                            if connection.vendor == "sqlite"
                            else c.organisation_id,
                        )
                        for p, c in zip(processes, cases, strict=True)
                    ],
                )
            tasks, routes = [], []
            for process, case in zip(processes, cases, strict=True):
                for n in range(TASKS_PER_PROCESS - 1):
                    tasks.append(
                        Task(
                            process=process,
                            flow_task=nodes[n % len(nodes)],
                            flow_task_type="HUMAN",
                            status=STATUS.DONE,
                            owner=case.assigned_worker or supervisor,
                            finished=timezone.now(),
                        )
                    )
                supervisor_task = rng.random() < 0.3 or not case.assigned_worker_id
                tasks.append(
                    Task(
                        process=process,
                        flow_task=closing if supervisor_task else nodes[0],
                        flow_task_type="HUMAN",
                        status=STATUS.NEW if supervisor_task else STATUS.ASSIGNED,
                        owner=None if supervisor_task else case.assigned_worker,
                    )
                )
                routes.append((case, "supervisor" if supervisor_task else ""))
            created = Task.objects.bulk_create(tasks, batch_size=BATCH)
            open_tasks = created[TASKS_PER_PROCESS - 1 :: TASKS_PER_PROCESS]
            CaseTask.objects.bulk_create(
                [
                    CaseTask(
                        task=task,
                        case=case,
                        organisation_id=case.organisation_id,
                        role=role,
                        due_on=today + datetime.timedelta(days=rng.randint(-30, 90)),
                        # bulk_create sends no signals: copy status and owner here.
                        status=task.status,
                        owner_id=task.owner_id,
                    )
                    for task, (case, role) in zip(open_tasks, routes, strict=True)
                ]
            )
        done = offset + count
        if done % 20_000 == 0 or done == PROCESSES:
            print(f"  {done:,} processes ({time.perf_counter() - start:.0f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"worker": workers[1], "supervisor": supervisor, "council": council_worker}


def measure(users: dict) -> None:
    from workflows import selectors

    for name, user in users.items():
        print(f"{name}:")
        for tab, old_name in (
            ("mine", "inbox_tasks"),
            ("queue", "queue_tasks"),
            ("overdue", "overdue_tasks"),
        ):
            if hasattr(selectors, "tab_page"):
                count, more = selectors.tab_count(user=user, tab=tab)
                timed(
                    f"{tab}: page 1",
                    lambda t=tab, u=user: selectors.tab_page(user=u, tab=t, number=1),
                )
                timed(
                    f"{tab}: bounded count ({count}{'+' if more else ''}), lazy badge",
                    lambda t=tab, u=user: selectors.tab_count(user=u, tab=t),
                )
                continue
            # The selectors before the CaseTask status/owner copies (for before/after figures).
            selector = getattr(selectors, old_name)
            count, more = selectors.bounded_count(selector(user=user))
            timed(
                f"{tab}: page 1 + bounded count ({count}{'+' if more else ''})",
                lambda s=selector, u=user: (
                    selectors.page_of(s(user=u), 1).items,
                    selectors.bounded_count(s(user=u)),
                ),
            )
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            client = Client(raise_request_exception=False)
            client.force_login(user)
            for tab in ("mine", "queue", "overdue"):
                response = client.get(f"/app/inbox/?tab={tab}")
                if response.status_code != 200:
                    print(f"  GET /app/inbox/?tab={tab}: HTTP {response.status_code}, skipped")
                    continue
                with CaptureQueriesContext(connection) as queries:
                    client.get(f"/app/inbox/?tab={tab}")
                timed(
                    f"GET /app/inbox/?tab={tab} ({len(response.content) // 1024} KiB, "
                    f"{len(queries)} queries)",
                    lambda t=tab, c=client: c.get(f"/app/inbox/?tab={t}"),
                    repeat=9,
                )
            if client.get("/app/inbox/count/?tab=mine").status_code == 200:
                for tab in ("mine", "queue", "overdue"):
                    timed(
                        f"GET /app/inbox/count/?tab={tab} (lazy badge)",
                        lambda t=tab, c=client: c.get(f"/app/inbox/count/?tab={t}"),
                        repeat=9,
                    )


def existing() -> dict:
    """Return the users of a kept database (BENCH_REUSE), migrating it first if needed."""
    from django.core.management import call_command

    from advocacy.accounts.models import User

    started = time.perf_counter()
    call_command("migrate", verbosity=1)
    print(f"migrated the kept database in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    by_name = User.objects.in_bulk(
        ["bench_worker1", "bench_supervisor", "bench_council"], field_name="username"
    )
    return {
        "worker": by_name["bench_worker1"],
        "supervisor": by_name["bench_supervisor"],
        "council": by_name["bench_council"],
    }


def transitions(worker, count: int = 60) -> None:
    """Time a caseworker completing a flow step through its screen (POST execute), end to end."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from tests import factories
    from workflows.consultation.start import consultation_start

    tasks = []
    for _i in range(count):
        case = factories.case_for(worker)
        consultation_start(actor=worker, case=case)
        tasks.append(
            Task.objects.get(
                process__caseprocess__case=case, status=STATUS.ASSIGNED, flow_task_type="HUMAN"
            )
        )
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = Client(raise_request_exception=False)
        client.force_login(worker)
        times = []
        for task in tasks:
            path = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
            start = time.perf_counter()
            response = client.post(path, {"confirmed": "on"})
            times.append(time.perf_counter() - start)
            assert response.status_code == 302, response.status_code
    median = statistics.median(times) * 1000
    print(
        f"caseworker completes intake (POST execute → next task, one at a time): "
        f"median {median:.1f} ms, {count / sum(times):.1f} transitions/s"
    )


def main() -> None:
    users = existing() if benchdb.reused() else build()
    measure(users)
    transitions(users["worker"])


if __name__ == "__main__":
    try:
        main()
    finally:
        benchdb.teardown()
