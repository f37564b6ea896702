"""Benchmark the inbox, queue and overdue lists at scale.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/bench_workflows.py [processes] [tasks each]
(defaults 100000 and 10: 100,000 processes, 1,000,000 tasks). A quick run: … 2000 10.

Uses a database of its own: a throw-away PostgreSQL database created next to DATABASE_URL
and dropped afterwards (or a temporary SQLite file). Rows are bulk-inserted: one person,
cases pointing at it, processes with nine finished tasks and one open task each.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="bench-workflows-"))
PROCESSES = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
TASKS_PER_PROCESS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
PG_URL = os.environ.get("DATABASE_URL", "")
BENCH_DB = f"bench_workflows_{os.getpid()}"

os.environ["DJANGO_SETTINGS_MODULE"] = "advocacy.settings"
os.environ["ADVOCACY_KEY_FILE"] = str(WORKDIR / "keys.json")
os.environ["ADVOCACY_KEY_FILE_AUTOCREATE"] = "1"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + secrets.token_hex(24))
os.environ["DJANGO_HTTPS"] = "0"
os.environ["DJANGO_STATIC_MANIFEST"] = "0"

if PG_URL.startswith("postgres"):
    import psycopg

    parts = urlsplit(PG_URL)
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + BENCH_DB))
else:
    PG_URL = ""
    os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
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

    from advocacy.accounts.models import Organisation
    from advocacy.accounts.roles import Role
    from advocacy.cases.models import Case, CaseUserObjectPermission
    from tests import factories
    from workflows.consultation.flows import ConsultationFlow
    from workflows.models import CaseTask

    city = factories.organisation(Organisation.Kind.CITY_OFFICE, name="ベンチ市")
    council = factories.organisation(Organisation.Kind.COUNCIL_CENTRE, name="ベンチ社協")
    workers = [factories.user(Role.CITY_CASEWORKER, organisation=city) for _i in range(40)]
    supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    council_worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
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
        for tab in ("inbox_tasks", "queue_tasks", "overdue_tasks"):
            selector = getattr(selectors, tab)
            count, more = selectors.bounded_count(selector(user=user))
            timed(
                f"{tab} page 1 + bounded count ({count}{'+' if more else ''})",
                lambda s=selector, u=user: (
                    selectors.page_of(s(user=u), 1).items,
                    selectors.bounded_count(s(user=u)),
                ),
            )
        with override_settings(ROOT_URLCONF="tests.workflows.urls", ALLOWED_HOSTS=["testserver"]):
            client = Client(raise_request_exception=False)
            client.force_login(user)
            for tab in ("mine", "queue", "overdue"):
                response = client.get(f"/app/inbox/?tab={tab}")
                if response.status_code != 200:
                    print(f"  GET /app/inbox/?tab={tab}: HTTP {response.status_code}, skipped")
                    continue
                timed(
                    f"GET /app/inbox/?tab={tab} ({len(response.content) // 1024} KiB)",
                    lambda t=tab, c=client: c.get(f"/app/inbox/?tab={t}"),
                    repeat=5,
                )


def main() -> None:
    try:
        call_command("migrate", verbosity=0)
        users = build()
        measure(users)
    finally:
        connections.close_all()
        if PG_URL:
            with psycopg.connect(PG_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')


if __name__ == "__main__":
    main()
