"""Every page next to its own SQL and the floor, at scale, side by side in one run.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
     .venv/bin/python bench/bench_pages.py [rounds]      (default 9)

Uses the kept load database of bench/loaddb.py (100,000 cases, 1,000,000 tasks; built on
first use). Each round requests every page once through Django's test client (session,
roles, menu, Material layout, audit event) and then replays that request's SELECTs on their
own ("bare SQL"), so a change in the machine's load falls on all of them alike. A page's
writes (the audit event, its commit) cannot be replayed, the chain having moved on: they are
timed where the page runs them, round trip by round trip, and counted in its SQL (decision
117). The floor is an authenticated page with no data through the same stack: the search
form (GET). Prints medians with the load average; the goal is (page − floor) ≤ 2 × bare SQL
(its reads replayed and its writes), the ratio to the reads alone printed beside it, and
page / floor for the committee's released report (goal ≤ 1.2). That report is served twice:
from a release with its tables stored (decision 100; the bench makes one, of last fiscal
year, the first time) and, when the database has one, from a release made before, whose
tables are rebuilt on each view.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402
import loaddb  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 9
loaddb.attach()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from advocacy.accounts.models import User  # noqa: E402


def _replay(statements: list[str]) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            if benchdb.is_read(sql):
                cursor.execute(sql)
                cursor.fetchall()
    return (time.perf_counter() - start) * 1000


class Page:
    def __init__(self, label: str, client: Client, method: str, url: str, data: dict) -> None:
        self.label, self.client, self.method, self.url, self.data = (
            label,
            client,
            method,
            url,
            data,
        )
        self.page_ms: list[float] = []
        self.sql_ms: list[float] = []
        self.write_ms: list[float] = []
        self.queries = 0

    def once(self) -> None:
        send = self.client.post if self.method == "POST" else self.client.get
        writes: list[float] = []
        with CaptureQueriesContext(connection) as captured, _writes_timed(writes):
            start = time.perf_counter()
            response = send(self.url, self.data)
            self.page_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (self.label, response.status_code)
        statements = [q["sql"] for q in captured.captured_queries]
        self.queries = len(statements)
        self.sql_ms.append(_replay(statements))
        self.write_ms.append(sum(writes) * 1000)


@contextlib.contextmanager
def _writes_timed(into: list[float]):
    """Time each write statement and each commit the page sends, into ``into`` (seconds)."""

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not benchdb.is_read(sql):
                into.append(time.perf_counter() - start)

    with benchdb.commits_timed(into.append), connection.execute_wrapper(timed):
        yield


def old_supervisor_list_sql(user: User) -> float:
    """The supervisor's list as it was: an exact count and a sort of every visible row."""
    from advocacy.access.selectors import case_visibility
    from advocacy.cases.models import Case

    cases = Case.objects.filter(case_visibility(user=user)).order_by("-opened_on", "-number")
    start = time.perf_counter()
    cases.count()
    list(cases.select_related("person", "person__area", "assigned_worker")[975:1000])
    return (time.perf_counter() - start) * 1000


def releases(supervisor: User) -> tuple[int, int | None]:
    """Return a release with its tables stored (making one the first time) and one without.

    Releases made before decision 100 have no stored tables and are rendered on each view, as
    every release was before: the bench serves both, side by side.
    """
    from django.utils import timezone

    from advocacy.dates import fiscal_year_of
    from advocacy.stats import services
    from advocacy.stats.models import Release

    stored = Release.objects.exclude(html={}).order_by("-pk").first()
    if stored is None:
        stored = services.report_release(
            actor=supervisor,
            fiscal_year=fiscal_year_of(timezone.localdate()) - 1,
            kind=Release.Kind.BEFORE_COMMITTEE,
        )
    bare = Release.objects.filter(html={}).order_by("-pk").first()
    return stored.pk, None if bare is None else bare.pk


def main() -> None:
    setup_test_environment()
    from advocacy.cases import selectors
    from advocacy.crypto.keycache import key_cache

    worker = User.objects.get(username="load_cw1")
    supervisor = User.objects.get(username="load_sv")
    committee = User.objects.get(username="load_cm")
    clients = {}
    for user in (worker, supervisor, committee):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    cw, sv, cm = clients["load_cw1"], clients["load_sv"], clients["load_cm"]
    case = selectors.case_list_page(user=worker).rows[0]
    with key_cache():
        kana_cw = case.person.kana
    deep = {}
    for user in (worker, supervisor):
        # The 40th page's cursor: where the offset paging had to skip 975 rows.
        row = selectors.case_list(user=user)[975]
        deep[user.username] = selectors.case_cursor(row)
    pages = [Page("floor (search form, no data)", cw, "GET", "/app/cases/search/", {})]
    for tab in ("mine", "queue", "overdue"):
        pages.append(Page(f"inbox {tab}, caseworker", cw, "GET", "/app/inbox/", {"tab": tab}))
        pages.append(Page(f"inbox {tab}, supervisor", sv, "GET", "/app/inbox/", {"tab": tab}))
    for label, client, user in (("caseworker", cw, worker), ("supervisor", sv, supervisor)):
        pages += [
            Page(f"case list p1, {label}", client, "GET", "/app/cases/", {}),
            Page(
                f"case list p40, {label}",
                client,
                "GET",
                "/app/cases/",
                {"after": deep[user.username]},
            ),
            Page(
                f"case list stage, {label}", client, "GET", "/app/cases/", {"stage": "coordination"}
            ),
            Page(f"search kana, {label}", client, "POST", "/app/cases/search/", {"kana": kana_cw}),
        ]
    stored, bare = releases(supervisor)
    pages += [
        Page("case page, caseworker", cw, "GET", f"/app/cases/{case.pk}/", {}),
        Page("statistics preview, supervisor", sv, "GET", "/app/stats/preview/", {}),
        Page("released report, committee", cm, "GET", "/app/stats/", {"release": stored}),
    ]
    if bare is not None:
        pages.append(
            Page(
                "released report, tables rebuilt per view (as before)",
                cm,
                "GET",
                "/app/stats/",
                {"release": bare},
            )
        )
    for page in pages:
        page.once()  # warm up
        page.page_ms.clear()
        page.sql_ms.clear()
        page.write_ms.clear()
    loads = []
    old_list = []
    for _round in range(ROUNDS):
        loads.append(os.getloadavg()[0])
        for page in pages:
            page.once()
        old_list.append(old_supervisor_list_sql(supervisor))
    floor = statistics.median(pages[0].page_ms)
    print(f"{ROUNDS} rounds; load average {min(loads):.2f}–{max(loads):.2f}; floor {floor:.1f} ms")
    print(
        "| page | queries | page ms | reads ms (replayed) | writes ms (in the page) | "
        "(page − floor) / SQL | (page − floor) / reads | page / floor |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for page in pages:
        page_ms = statistics.median(page.page_ms)
        read_ms = statistics.median(page.sql_ms)
        write_ms = statistics.median(page.write_ms)
        print(
            f"| {page.label} | {page.queries} | {page_ms:.1f} | {read_ms:.1f} | {write_ms:.1f} | "
            f"{(page_ms - floor) / (read_ms + write_ms):.2f}× | "
            f"{(page_ms - floor) / read_ms:.2f}× | {page_ms / floor:.2f}× |"
        )
    print(
        f"supervisor's list as it was (exact count + sort of all rows, page 40): "
        f"{statistics.median(old_list):.1f} ms of SQL"
    )


if __name__ == "__main__":
    main()
