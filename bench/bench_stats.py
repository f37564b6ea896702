# The SQL below is assembled from this script's own constants and ids, never from input.
# ruff: noqa: S608
"""Benchmark the committee's yearly report at scale: the page next to its bare SQL aggregates.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
     .venv/bin/python bench/bench_stats.py [cases] [years]      (default 1000000 5)

PostgreSQL only: the rows are generated in SQL (generate_series). A modest number of persons
is made through the ORM with their encrypted fields (the statistics join to their clear
categories); the cases and their records are then inserted in SQL, spread over ``years``
fiscal years ending with FY2025. Records' encrypted columns are left empty: the statistics never
read them. The supervisor's preview (the live report, computed as a release would be; the
committee's page only reads a stored release since decision 51) is then requested through
Django's test client (session, roles, suppression, audit event, template), and its SELECTs
are replayed on their own as the bare SQL baseline; each round takes the page, report_build
and the bare SQL in turn, and the medians of REPEAT rounds are printed side by side.
"""

from __future__ import annotations

import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402

CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
YEARS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
PERSONS = min(5_000, CASES)
REPEAT = 9
PAGE = "/app/stats/preview/"
FY = 2025
IS_PG = benchdb.setup("stats")
if not IS_PG:
    sys.exit("bench_stats needs DATABASE_URL to name a PostgreSQL server")

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from advocacy.accounts.models import Organisation, User  # noqa: E402
from advocacy.accounts.roles import Role  # noqa: E402
from advocacy.cases.models import (  # noqa: E402
    Case,
    Consultation,
    Decision,
    GuardianAppointment,
    Person,
)
from advocacy.cases.models.records import PetitionerType  # noqa: E402
from advocacy.crypto.keycache import key_cache  # noqa: E402
from advocacy.reference.models import (  # noqa: E402
    Area,
    GuardianshipType,
    MainConcern,
    PersonCategory,
)
from advocacy.stats import services  # noqa: E402


def _array(values) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def _pick(values, seed: str) -> str:
    """SQL picking one of values, spread by a hash of seed (deterministic, uneven enough)."""
    return f"({_array(values)})[1 + (hashtext({seed}) & 2147483647) % {len(values)}]"


def build() -> User:
    city = Organisation.objects.create(name="ベンチ市", kind="city_office")
    committee = Organisation.objects.create(name="ベンチ委員会", kind="committee")
    worker = User.objects.create(username="bench_worker", organisation=city)
    member = User.objects.create(username="bench_member", organisation=committee)
    worker.groups.add(Group.objects.get(name=Role.CITY_CASEWORKER.value))
    member.groups.add(Group.objects.get(name=Role.COMMITTEE_MEMBER.value))
    areas = list(Area.objects.all())
    categories = list(PersonCategory.objects.all())
    sexes = ["female", "female", "male", "male", "other", "unknown"]
    households = [c for c, _l in Person.Household.choices]
    bands = ["40-44", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90-94", "100-104"]
    with transaction.atomic(), key_cache():
        persons = []
        for i in range(PERSONS):
            person = Person(
                organisation=city,
                name=f"ベンチ {i}",
                kana=f"べんち {i}",
                birth_date=datetime.date(1940, 1, 1),
                sex=sexes[i % len(sexes)] if i % 97 else "other",
                area=areas[i % len(areas)],
                living_situation="home",
                household_type=households[i % len(households)],
                age_band=bands[(i * 7) % len(bands)],
            )
            for index in ("name_index", "kana_index", "duplicate_index"):
                field = Person._meta.get_field(index)
                setattr(person, index, field.compute([getattr(person, s) for s in field.sources]))
            persons.append(person)
        Person.objects.bulk_create(persons, batch_size=1000)
        Through = Person.categories.through
        Through.objects.bulk_create(
            [
                Through(person_id=p.pk, personcategory_id=categories[i % len(categories)].pk)
                for i, p in enumerate(persons)
            ],
            batch_size=2000,
        )
    days = 365 * YEARS
    first_day = datetime.date(FY - YEARS + 1, 4, 1)
    types = list(GuardianshipType.objects.filter(voluntary=False).values_list("pk", flat=True))
    concerns = list(MainConcern.objects.values_list("pk", flat=True))
    referrers = [c for c, _l in Consultation.ReferrerType.choices]
    petitioners = [c for c, _l in PetitionerType.choices]
    reasons = [c for c, _l in Case.ClosingReason.choices]
    outcomes = [c for c, _l in Decision.Outcome.choices]
    professions = [c for c, _l in GuardianAppointment.Profession.choices]
    sources = ["guardian", "relative", "team_member", "person"]
    steps = [
        (
            "cases",
            f"""
            INSERT INTO cases_case (id, number, fiscal_year, serial, person_id, organisation_id,
                controller, purpose, stage, urgency, consent, feedback_consent, opened_on,
                closed_on, closing_reason, created_at, updated_at, assigned_worker_id)
            SELECT gen_random_uuid(), 'B' || g, 2000, g, p.ids[1 + g % {PERSONS}], '{city.pk}',
                'city',
                -- 2% 日常生活自立支援事業, spread over the persons independently of the other
                -- records, so some persons go on from 日自 to a guardianship decision
                CASE WHEN (hashtext('p' || g) & 2147483647) % 50 = 0
                    THEN 'daily_life_support' ELSE 'core_agency' END,
                CASE WHEN g % 5 < 2 THEN 'closed' ELSE 'consultation' END, 'normal',
                'not_asked', 'not_asked', o.opened,
                CASE WHEN g % 5 < 2 THEN o.opened + 30 + g % 200 END,
                CASE WHEN g % 5 < 2 THEN {_pick(reasons, "g::text")} ELSE '' END,
                now(), now(), '{worker.pk}'
            FROM generate_series(1, {CASES}) g,
                 LATERAL (SELECT DATE '{first_day}'
                          + ((g::bigint * 7919) % {days})::int AS opened) o,
                 (SELECT array_agg(id ORDER BY id) AS ids FROM cases_person) p
            """,
        ),
        (
            "consultations",
            f"""
            INSERT INTO cases_consultation (id, case_id, person_id, created_by_id, created_at,
                updated_at, consulted_on, is_new, channel, referrer_type, caller,
                referrer_organisation, notes, age_band, sex, household_type, area_id,
                is_new_by_hand)
            SELECT gen_random_uuid(), c.id, c.person_id, '{worker.pk}', now(), now(),
                c.opened_on, hashtext(c.number) % 5 <> 0, 'phone',
                {_pick(referrers, "c.number")}, ''::bytea, ''::bytea, ''::bytea, p.age_band,
                p.sex, p.household_type, p.area_id, false
            FROM cases_case c JOIN cases_person p ON p.id = c.person_id
            """,
        ),
        (
            "main concerns",
            f"""
            INSERT INTO cases_consultation_main_concerns (consultation_id, mainconcern_id)
            SELECT id, ({_array(concerns).replace("'", "")})
                [1 + (hashtext(id::text) & 2147483647) % {len(concerns)}]
            FROM cases_consultation
            """,
        ),
        (
            "decisions",
            f"""
            INSERT INTO cases_decision (id, case_id, person_id, created_by_id, created_at,
                updated_at, held_on, participants, outcome, guardianship_type_id,
                petitioner_type, reasons, advice)
            SELECT gen_random_uuid(), c.id, c.person_id, '{worker.pk}', now(), now(),
                c.opened_on + 20 + c.serial % 40, ''::bytea,
                {_pick(outcomes, "c.number")},
                {types[0]}, 'relative', ''::bytea, ''::bytea
            FROM cases_case c WHERE c.serial % 10 < 3
            """,
        ),
        (
            "petitions",
            f"""
            INSERT INTO cases_petition (id, case_id, person_id, created_by_id, created_at,
                updated_at, petitioner_type, relatives_intentions, approved_on, court_id,
                documents, filed_on, court_case_number, ruling_on, type_granted_id, powers,
                supervisor_appointed, supervisor_name, registration_number, purpose,
                change_kind, term_kind)
            SELECT gen_random_uuid(), c.id, c.person_id, '{worker.pk}', now(), now(),
                {_pick(petitioners, "c.number")}, ''::bytea, c.opened_on + 70,
                (SELECT id FROM reference_familycourt WHERE code = 'otsu'),
                '[]'::jsonb, c.opened_on + 80 + c.serial % 30, ''::bytea,
                CASE WHEN c.serial % 10 < 2 THEN c.opened_on + 150 + c.serial % 90 END,
                CASE WHEN c.serial % 10 < 2
                    THEN ({_array(types).replace("'", "")})[1 + c.serial % {len(types)}] END,
                ''::bytea, false, ''::bytea, ''::bytea, 'start', '', ''
            FROM cases_case c WHERE c.serial % 10 < 3
            """,
        ),
        (
            "appointments",
            f"""
            INSERT INTO cases_guardianappointment (id, case_id, person_id, created_by_id,
                created_at, updated_at, kind, profession, name, appointed_on, end_reason, role)
            SELECT gen_random_uuid(), p.case_id, p.person_id, '{worker.pk}', now(), now(),
                'person', {_pick(professions, "p.id::text")},
                ''::bytea, p.ruling_on, ''::bytea, 'guardian'
            FROM cases_petition p WHERE p.ruling_on IS NOT NULL
            """,
        ),
        (
            "subsidies",
            f"""
            INSERT INTO cases_subsidy (id, case_id, person_id, created_by_id, created_at,
                updated_at, kind, applied_on, amount_yen, decision, decided_on)
            SELECT gen_random_uuid(), c.id, c.person_id, '{worker.pk}', now(), now(),
                CASE WHEN c.serial % 2 = 0 THEN 'petition_cost' ELSE 'guardian_fee' END,
                c.opened_on + 90, 10000 + c.serial % 200000,
                {_pick(["approved", "approved", "rejected", "pending"], "c.number")},
                c.opened_on + 120
            FROM cases_case c WHERE c.serial % 10 = 3
            """,
        ),
        (
            "team meetings",
            f"""
            INSERT INTO cases_teammeeting (id, case_id, person_id, created_by_id, created_at,
                updated_at, kind, held_on, participants, notes)
            SELECT gen_random_uuid(), c.id, c.person_id, '{worker.pk}', now(), now(),
                {_pick(["first", "regular", "review", "urgent"], "c.number")},
                c.opened_on + 60, ''::bytea, ''::bytea
            FROM cases_case c WHERE c.serial % 10 IN (4, 5)
            """,
        ),
        (
            "contacts",
            f"""
            INSERT INTO cases_contact (id, case_id, person_id, created_by_id, created_at,
                updated_at, contacted_on, contact_from, is_help_request, summary, is_complaint)
            SELECT gen_random_uuid(), c.id, c.person_id, '{worker.pk}', now(), now(),
                c.opened_on + 100, {_pick(sources, "c.number")},
                c.serial % 3 = 0, ''::bytea, false
            FROM cases_case c WHERE c.serial % 10 IN (6, 7, 8)
            """,
        ),
    ]
    with connection.cursor() as cursor:
        for label, sql in steps:
            started = time.perf_counter()
            cursor.execute(sql)
            print(f"  {label}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        # Bulk-loaded pages are not all-visible until (auto)vacuum has run, which it does
        # soon after such a load in production: without it no index-only scan is possible.
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        print(f"  vacuum analyze: {time.perf_counter() - started:.1f} s")
    return member


def _statements(client: Client) -> tuple[list[str], int]:
    """Return the SELECTs one page request runs, and how many queries it runs in all."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGE, {"year": FY})
    assert response.status_code == 200, response.status_code
    statements = [q["sql"] for q in captured.captured_queries if benchdb.is_read(q["sql"])]
    return statements, len(captured.captured_queries)


def measure(client: Client) -> dict[str, float | int]:
    """Return median ms of the page, report_build and the bare SQL, and the queries per page.

    The three are taken in turn within each round, so that a change in the machine's load
    (it is shared) falls on all three alike; the ratio is also taken per round.
    """
    statements, queries = _statements(client)  # also warms caches and connections
    page, built, bare, ratio = [], [], [], []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(PAGE, {"year": FY})
        page.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        start = time.perf_counter()
        services.report_build(fiscal_year=FY)
        built.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        bare.append((time.perf_counter() - start) * 1000)
        ratio.append(page[-1] / bare[-1])
    return {
        "page": statistics.median(page),
        "page_range": (min(page), max(page)),
        "built": statistics.median(built),
        "bare": statistics.median(bare),
        "bare_range": (min(bare), max(bare)),
        "ratio": statistics.median(ratio),
        "queries": queries,
    }


def member_city() -> Organisation:
    return User.objects.get(username="bench_worker").organisation


def main() -> None:
    setup_test_environment()
    started = time.perf_counter()
    if not benchdb.reused():
        build()
    print(
        f"built {CASES:,} cases over {YEARS} fiscal years in {time.perf_counter() - started:.0f} s"
    )
    supervisor, made = User.objects.get_or_create(
        username="bench_supervisor", defaults={"organisation": member_city()}
    )
    if made:
        supervisor.groups.add(Group.objects.get(name=Role.SUPERVISOR.value))
    client = Client()
    client.force_login(supervisor)
    m = measure(client)
    in_year = Consultation.objects.filter(
        consulted_on__gte=datetime.date(FY, 4, 1), consulted_on__lte=datetime.date(FY + 1, 3, 31)
    ).count()
    print(f"FY{FY}: {in_year:,} consultations in the year; {m['queries']} queries per page")
    print(f"| what | ms (median of {REPEAT}) | min–max |")
    print("|---|---|---|")
    page_lo, page_hi = m["page_range"]
    bare_lo, bare_hi = m["bare_range"]
    print(f"| preview page, whole stack | {m['page']:.0f} | {page_lo:.0f}–{page_hi:.0f} |")
    print(f"| report_build (SQL + suppression) | {m['built']:.0f} | |")
    print(f"| bare SQL (the page's SELECTs) | {m['bare']:.0f} | {bare_lo:.0f}–{bare_hi:.0f} |")
    print(f"| page / bare SQL, ratio of the medians | {m['page'] / m['bare']:.2f}× | |")
    print(f"| page / bare SQL, median of the rounds' ratios | {m['ratio']:.2f}× | |")


if __name__ == "__main__":
    try:
        main()
    finally:
        benchdb.teardown()
