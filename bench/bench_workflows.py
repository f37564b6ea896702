"""Benchmark the inbox, queue and overdue lists at scale.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/bench_workflows.py [processes] [tasks each]
(defaults 100000 and 10: 100,000 processes, 1,000,000 tasks). A quick run: … 2000 10.

Uses a database of its own (bench/benchdb.py): a throw-away PostgreSQL database created
next to DATABASE_URL and dropped afterwards (or a temporary SQLite file). BENCH_KEEP=1 keeps
it; BENCH_REUSE=<db> BENCH_REUSE_KEYS=<key file> measures a kept one again without building
(migrations not yet applied to it are applied first). Rows are bulk-inserted: one person,
cases pointing at it, processes with nine finished tasks and one open task each.

Prints, for a caseworker, a supervisor and a Council caseworker: the tabs' selectors; our
inbox tabs next to stock viewflow's inbox and queue (``WorkflowAppViewset``, mounted by the
benches' URLconf ``stock_urls.py`` only) and the floor, side by side in the same rounds; a
caseworker completing intake steps one at a time (POST, its statements' and commits' time, the
floor beside each); and transitions a second at 1, 5 and 20 worker processes, each with its own
connection, with the lock waits sampled meanwhile. BENCH_ONLY=transitions skips the pages;
BENCH_PROFILE=1 prints a pyinstrument profile of 29 completions instead.
"""

from __future__ import annotations

import contextlib
import datetime
import os
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
    pages_side_by_side(users)


def pages_side_by_side(users: dict, rounds: int = 9) -> None:
    """Our inbox tabs next to stock viewflow's inbox and queue, and the floor, in the same rounds.

    Each round requests every page once (same users, same client, same tables), so a change
    in the machine's load falls on all of them alike; medians are printed with the load.
    """
    pages = []
    for name, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        pages += [
            (name, "floor (search form, no data)", client, "/app/cases/search/"),
            (name, "ours: inbox mine", client, "/app/inbox/?tab=mine"),
            (name, "stock: inbox", client, "/stock/workflow/inbox/"),
            (name, "ours: inbox queue", client, "/app/inbox/?tab=queue"),
            (name, "stock: queue", client, "/stock/workflow/queue/"),
            (name, "ours: inbox overdue", client, "/app/inbox/?tab=overdue"),
        ]
    times: dict[tuple, list[float]] = {page[:2]: [] for page in pages}
    queries: dict[tuple, int] = {}
    sizes: dict[tuple, int] = {}
    for name, label, client, url in pages:
        response = client.get(url)  # warm up
        assert response.status_code == 200, (name, label, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries[name, label] = len(captured)
        sizes[name, label] = len(response.content) // 1024
    loads = []
    for _round in range(rounds):
        loads.append(os.getloadavg()[0])
        for name, label, client, url in pages:
            start = time.perf_counter()
            client.get(url)
            times[name, label].append((time.perf_counter() - start) * 1000)
    loads.append(os.getloadavg()[0])
    print(
        f"pages side by side, {rounds} rounds, median ms; "
        f"load average {min(loads):.2f}–{max(loads):.2f}"
    )
    print("| user | page | queries | KiB | ms | ratio |")
    print("|---|---|---|---|---|---|")
    for name in users:
        median = {label: statistics.median(t) for (n, label), t in times.items() if n == name}
        ratio = {
            "ours: inbox mine": median["ours: inbox mine"] / median["stock: inbox"],
            "ours: inbox queue": median["ours: inbox queue"] / median["stock: queue"],
        }
        for label, ms in median.items():
            note = f"{ratio[label]:.2f}× stock" if label in ratio else ""
            print(
                f"| {name} | {label} | {queries[name, label]} | {sizes[name, label]} | "
                f"{ms:.1f} | {note} |"
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


class SqlTimer:
    """Time spent in the database by a block: its statements (an execute_wrapper) and commits."""

    def __init__(self) -> None:
        self.ms = 0.0
        self.commit_ms = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - start) * 1000
            self.count += 1

    def _commit(self, seconds: float) -> None:
        ms = seconds * 1000
        self.ms += ms
        self.commit_ms += ms
        self.count += 1

    @contextlib.contextmanager
    def timing(self):
        with benchdb.commits_timed(self._commit), connection.execute_wrapper(self):
            yield self


def prepare(workers: list, each: int) -> list[list[tuple[int, str]]]:
    """Give each worker `each` open intake tasks of fresh cases: (worker pk, execute URL) lists."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from tests import factories
    from workflows.consultation.start import consultation_start

    lists = []
    for worker in workers:
        urls = []
        for _i in range(each):
            case = factories.case_for(worker)
            consultation_start(actor=worker, case=case)
            task = Task.objects.get(
                process__caseprocess__case=case, status=STATUS.ASSIGNED, flow_task_type="HUMAN"
            )
            url = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
            urls.append((worker.pk, url))
        lists.append(urls)
    return lists


def _complete(client: Client, url: str) -> None:
    response = client.post(url, {"confirmed": "on"})
    assert response.status_code == 302, (url, response.status_code)


def one_at_a_time(worker, count: int = 40) -> None:
    """Complete intake steps one after another: the POST, its SQL time, the floor beside it."""
    from django.db import reset_queries

    (urls,) = prepare([worker], count)
    client = Client(raise_request_exception=False)
    client.force_login(worker)
    client.get("/app/cases/search/")
    posts, sql, commits, floors, queries = [], [], [], [], 0
    loads = [os.getloadavg()[0]]
    for _worker, url in urls:
        # Side by side: the floor (an authenticated page with no data), then one completion.
        start = time.perf_counter()
        client.get("/app/cases/search/")
        floors.append((time.perf_counter() - start) * 1000)
        timer = SqlTimer()
        with timer.timing():
            start = time.perf_counter()
            _complete(client, url)
            posts.append((time.perf_counter() - start) * 1000)
        sql.append(timer.ms)
        commits.append(timer.commit_ms)
        queries = timer.count
    reset_queries()
    loads.append(os.getloadavg()[0])
    post, sql_ms, floor = (statistics.median(x) for x in (posts, sql, floors))
    print(
        f"caseworker completes intake (POST execute → the triage task assigned), one at a time, "
        f"{count} steps, load average {min(loads):.2f}–{max(loads):.2f}:"
    )
    print(
        f"  POST median {post:.1f} ms ({queries} statements and commits, {sql_ms:.1f} ms "
        f"of it in the database, {statistics.median(commits):.1f} ms the commits); "
        f"floor {floor:.1f} ms; POST / (floor + its SQL) = "
        f"{post / (floor + sql_ms):.2f}×; {1000 / post:.1f} transitions/s"
    )


def _concurrent_worker(user_pk: int, urls: list, barrier, out) -> None:
    from advocacy.accounts.models import User

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(pk=user_pk))
    # Warm up outside the timing with a first step: a forked process copies the pages of
    # memory it first writes, which would otherwise be counted against the first steps.
    _complete(client, urls[0][1])
    barrier.wait()
    started, cpu = time.time(), time.process_time()
    times = []
    for _user, url in urls[1:]:
        start = time.perf_counter()
        _complete(client, url)
        times.append((time.perf_counter() - start) * 1000)
    finished, cpu = time.time(), time.process_time() - cpu
    connection.close()
    out.put((started, finished, times, cpu))


_WAITS = (
    "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), "
    "count(*) FILTER (WHERE state = 'active') "
    "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def concurrent(workers: list, levels: tuple[int, ...] = (1, 5, 20), total: int = 120) -> None:
    """Transitions a second with N worker processes, each its own connection and caseworker.

    Each process completes total / N intake steps of its own caseworker's cases as fast as it
    can (no pauses); throughput is all steps over the time from the first start to the last end.
    While they run, the parent samples the database's sessions every 20 ms: how many wait for
    a lock (contention) and how many are running a statement; with the workers' own CPU time
    a step, that tells a machine that is full from a design that serialises.
    """
    import multiprocessing
    import queue

    from django.db import connections

    print(f"concurrent completions, {total} steps a level, one process and connection each:")
    print(
        "| processes | transitions/s | POST p50 ms | POST p95 ms | client CPU ms a step | "
        "sessions waiting for a lock / running (mean of samples) | audit chains used | load |"
    )
    print("|---|---|---|---|---|---|---|---|")
    from advocacy.audit.models import AuditEvent

    for level in levels:
        lists = prepare(workers[:level], total // level + 1)
        last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        connections.close_all()  # every child opens its own connection
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(level)
        out = context.Queue()
        procs = [
            context.Process(target=_concurrent_worker, args=(urls[0][0], urls, barrier, out))
            for urls in lists
        ]
        for proc in procs:
            proc.start()
        results, samples = [], []
        with connection.cursor() as cursor:
            while len(results) < level:
                try:
                    results.append(out.get(timeout=0.02))
                except queue.Empty:
                    cursor.execute(_WAITS)
                    samples.append(cursor.fetchone())
        for proc in procs:
            proc.join()
            assert proc.exitcode == 0, proc.exitcode
        began = min(r[0] for r in results)
        ended = max(r[1] for r in results)
        times = sorted(t for r in results for t in r[2])
        cpu_ms = 1000 * sum(r[3] for r in results) / len(times)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        # How many audit chains the level's events went to: as many as heads were held at once.
        chains = AuditEvent.objects.filter(id__gt=last_event).values("chain").distinct().count()
        waiting = statistics.mean(s[0] for s in samples) if samples else 0.0
        running = statistics.mean(s[1] for s in samples) if samples else 0.0
        print(
            f"| {level} | {len(times) / (ended - began):.1f} | {statistics.median(times):.1f} | "
            f"{p95:.1f} | {cpu_ms:.1f} | {waiting:.2f} / {running:.2f} | "
            f"{chains} | {os.getloadavg()[0]:.2f} |"
        )


def profile(worker, count: int = 30) -> None:
    """Where one completion's time goes: pyinstrument over count POSTs (BENCH_PROFILE=1)."""
    from pyinstrument import Profiler

    (urls,) = prepare([worker], count)
    client = Client(raise_request_exception=False)
    client.force_login(worker)
    _complete(client, urls[0][1])  # warm up
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _worker, url in urls[1:]:
            _complete(client, url)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def bench_workers() -> list:
    from advocacy.accounts.models import User

    return list(User.objects.filter(username__startswith="bench_worker").order_by("id"))


def main() -> None:
    users = existing() if benchdb.reused() else build()
    # The stock anchor is mounted in the bench's URLconf only (bench/stock_urls.py).
    with override_settings(ALLOWED_HOSTS=["testserver"], ROOT_URLCONF="stock_urls"):
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - import the URLconf: it sets the flows' parents
        if os.environ.get("BENCH_PROFILE") == "1":
            profile(users["worker"])
            return
        if os.environ.get("BENCH_ONLY") != "transitions":
            measure(users)
        one_at_a_time(users["worker"])
        concurrent(bench_workers())


if __name__ == "__main__":
    try:
        main()
    finally:
        benchdb.teardown()
