"""Benchmark the case list and the search at scale: server time next to the bare SQL.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
     .venv/bin/python bench/bench_cases.py [cases] [staff]      (default 100000 1000)

Builds the data in bulk (encrypted persons with their data keys, cases, per-case grants),
then requests the real pages through Django's test client as a caseworker and as a
supervisor, counts their queries, and times those same queries replayed on their own.
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

CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
STAFF = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
REPEAT = 15
IS_PG = benchdb.setup("cases")

from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from tqdm import tqdm  # noqa: E402

from advocacy.access.models import CaseUserObjectPermission  # noqa: E402
from advocacy.accounts.models import Organisation, User  # noqa: E402
from advocacy.accounts.roles import Role  # noqa: E402
from advocacy.cases.models import Case, Person  # noqa: E402
from advocacy.cases.selectors import case_cursor, case_list  # noqa: E402
from advocacy.crypto.keycache import key_cache  # noqa: E402
from advocacy.reference.models import Area  # noqa: E402

BATCH = 2_000
KANA = ["やまだ", "たなか", "すずき", "さとう", "たかはし", "いとう", "わたなべ", "なかむら"]
GIVEN = ["はなこ", "たろう", "ゆき", "けん", "みどり", "まさお", "ひろし", "かずこ"]


def existing() -> tuple[User, User, str]:
    """Find the users and the probe of a database built by an earlier run."""
    staff = list(User.objects.filter(username__startswith="staff").order_by("id"))
    supervisor = staff[1]
    worker = next(
        u for u in staff if u.organisation_id == supervisor.organisation_id and u != supervisor
    )
    probe = Case.objects.filter(assigned_worker=worker).select_related("person").first().person
    with key_cache():
        return worker, supervisor, probe.kana


def build() -> tuple[User, User, str]:
    rnd = random.Random(1)  # noqa: S311 - invented data
    city = Organisation.objects.create(name="ベンチ市", kind="city_office")
    council = Organisation.objects.create(name="ベンチ社協", kind="council_centre")
    groups = {role: Group.objects.get(name=role.value) for role in Role}
    staff = []
    for i in range(STAFF):
        staff.append(User(username=f"staff{i}", organisation=city if i % 3 else council))
    User.objects.bulk_create(staff)
    staff = list(User.objects.filter(username__startswith="staff").order_by("id"))
    Through = User.groups.through
    Through.objects.bulk_create(
        [Through(user_id=u.pk, group_id=groups[Role.CITY_CASEWORKER].pk) for u in staff]
    )
    supervisor = staff[1]
    Through.objects.create(user_id=supervisor.pk, group_id=groups[Role.SUPERVISOR].pk)
    view = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    areas = list(Area.objects.all())
    today = datetime.date(2026, 11, 1)
    for start in tqdm(range(0, CASES, BATCH), desc="cases", unit="batch"):
        size = min(BATCH, CASES - start)
        with transaction.atomic(), key_cache():
            persons = [
                Person(
                    organisation=city,
                    name=f"ベンチ {start + i}",
                    kana=f"{rnd.choice(KANA)} {rnd.choice(GIVEN)}{(start + i) % 500}",
                    birth_date=datetime.date(1930, 1, 1)
                    + datetime.timedelta(days=rnd.randint(0, 15000)),
                    address="架空県架空市1-1",
                    phone="000-0000-0000",
                    sex="female",
                    area=rnd.choice(areas),
                    living_situation="home",
                    household_type="alone",
                    age_band="80-84",
                )
                for i in range(size)
            ]
            for person in persons:
                for index in ("name_index", "kana_index", "duplicate_index"):
                    field = Person._meta.get_field(index)
                    setattr(
                        person, index, field.compute([getattr(person, s) for s in field.sources])
                    )
            Person.objects.bulk_create(persons)
            cases = [
                Case(
                    number=f"B{start + i:07d}",
                    fiscal_year=2026,
                    serial=start + i + 1,
                    person=person,
                    organisation=city,
                    controller="city",
                    purpose="core_agency",
                    stage=rnd.choice(["consultation", "coordination", "team_support"]),
                    opened_on=today - datetime.timedelta(days=rnd.randint(0, 1500)),
                    assigned_worker=staff[(start + i) % len(staff)],
                )
                for i, person in enumerate(persons)
            ]
            Case.objects.bulk_create(cases)
            CaseUserObjectPermission.objects.bulk_create(
                [
                    CaseUserObjectPermission(
                        user_id=case.assigned_worker_id, permission=view, content_object=case
                    )
                    for case in cases
                ]
            )
    if IS_PG:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    worker = next(u for u in staff if u.organisation_id == city.pk and u != supervisor)
    probe = Case.objects.filter(assigned_worker=worker).select_related("person").first().person
    return worker, supervisor, probe.kana


def measure(client: Client, url: str, params: dict) -> tuple[float, float, int, int]:
    """Return (median page ms, median bare-SQL ms, queries, rows shown)."""
    client.get(url, params)  # warm caches and connections
    page_times = []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, params)
            page_times.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, response.status_code
    rows = response.context.get("rows") or response.context.get("results") or []
    sql_times = []
    statements = [q["sql"] for q in captured.captured_queries]
    for _ in range(REPEAT):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                if benchdb.is_read(sql):
                    cursor.execute(sql)
                    cursor.fetchall()
        sql_times.append((time.perf_counter() - start) * 1000)
    return statistics.median(page_times), statistics.median(sql_times), len(statements), len(rows)


SIX_FIELDS = ("name", "kana", "birth_date", "address", "phone", "wishes")


def decryption_share(user: User) -> None:
    """Time what encryption adds to a 50-row page: one key query, the unwraps, 300 decrypts."""
    from advocacy.cases.selectors import cases_visible_to, persons_prefetched

    cases = cases_visible_to(user=user).select_related("person").order_by("-opened_on")[:50]
    fetch, decrypt = [], []
    for _ in range(REPEAT):
        start = time.perf_counter()
        rows = list(cases.all())
        middle = time.perf_counter()
        with key_cache():
            persons_prefetched(rows)
            for case in rows:
                for name in SIX_FIELDS:
                    getattr(case.person, name)
        end = time.perf_counter()
        fetch.append((middle - start) * 1000)
        decrypt.append((end - middle) * 1000)
    print(
        f"50 rows × 6 encrypted fields: fetching the rows {statistics.median(fetch):.1f} ms, "
        f"key query + unwraps + 300 decrypts {statistics.median(decrypt):.1f} ms"
    )


def main() -> None:
    setup_test_environment()  # lets the test client see each response's context
    started = time.perf_counter()
    worker, supervisor, kana = existing() if benchdb.reused() else build()
    print(
        f"built {CASES:,} cases, {STAFF:,} staff in {time.perf_counter() - started:.0f} s "
        f"on {'PostgreSQL' if IS_PG else 'SQLite'}"
    )
    decryption_share(supervisor)
    print("| page | user | rows | queries | page ms (median) | bare SQL ms | ratio |")
    print("|---|---|---|---|---|---|---|")
    for user, label in ((worker, "caseworker"), (supervisor, "supervisor")):
        client = Client()
        client.force_login(user)
        # Page 40 by its keyset cursor (decision 85): the row before it is the 975th.
        page_40 = {"after": case_cursor(case_list(user=user)[975])}
        for name, url, params in (
            ("case list, page 1", "/app/cases/", {}),
            ("case list, page 40", "/app/cases/", page_40),
            ("case list, stage filter", "/app/cases/", {"stage": "coordination"}),
            ("search by kana", "/app/cases/search/", {"kana": kana}),
        ):
            page_ms, sql_ms, queries, rows = measure(client, url, params)
            print(
                f"| {name} | {label} | {rows} | {queries} | {page_ms:.1f} | {sql_ms:.1f} | "
                f"{page_ms / sql_ms:.1f}× |"
            )


if __name__ == "__main__":
    try:
        main()
    finally:
        benchdb.teardown()
