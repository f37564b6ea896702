"""The load run's database: 100,000 cases and 1,000,000 tasks, built once and kept.

``attach()`` points Django at the kept PostgreSQL database (default ``h20b_load``, or
BENCH_LOAD_DB) and its key file under var/bench/, building both the first time. Call it
before importing anything from Django. Everything in it is invented.

What is built (in batches of 5,000 through bulk_create, one data key a person, the master key
unwrapped once per batch inside ``key_cache``): a city (80% of cases) and a Council; 40 city
and 10 Council caseworkers, a supervisor of each, a committee member; 20,000 persons with
five cases each; every case granted to its assigned worker; a consultation process per case
with nine finished tasks and one open task (its CaseTask copy), like bench_workflows.py.
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CASES = int(os.environ.get("BENCH_LOAD_CASES", "100000"))
CASES_PER_PERSON = 5
TASKS_PER_PROCESS = 10
BATCH = 5_000
# Invented; every bench account has it. Never a real password.
PASSWORD = "bench-only-password-7f3a"  # noqa: S105
KANA = ["やまだ", "たなか", "すずき", "さとう", "たかはし", "いとう", "わたなべ", "なかむら"]
GIVEN = ["はなこ", "たろう", "ゆき", "けん", "みどり", "まさお", "ひろし", "かずこ"]


def environment() -> dict[str, str]:
    """Return the environment the bench's Django (and its gunicorn) runs with."""
    database = os.environ.get("BENCH_LOAD_DB", "h20b_load")
    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    keys = ROOT / "var" / "bench" / f"{database}-keys.json"
    keys.parent.mkdir(parents=True, exist_ok=True)
    return {
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "DATABASE_URL": urlunsplit(urlsplit(admin_url)._replace(path="/" + database)),
        "BENCH_ADMIN_URL": admin_url,
        "BENCH_LOAD_DB": database,
        "ADVOCACY_KEY_FILE": str(keys),
        "ADVOCACY_KEY_FILE_AUTOCREATE": "1",
        "DJANGO_SECRET_KEY": "bench-only-secret-" + "0123456789abcdef" * 3,
        "DJANGO_HTTPS": "0",
        "DJANGO_STATIC_MANIFEST": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        # The bench's accounts log in with a password only (no authenticator app to ask).
        "ADVOCACY_OTP_FOR_STAFF": "0",
        # Locust logs in once per simulated user; the lockout is for guessed passwords.
        "AXES_FAILURE_LIMIT": "1000",
        # With DEBUG off the settings want a mail host and sender; the bench sends no mail.
        "DJANGO_EMAIL_HOST": "mail.invalid",
        "DJANGO_DEFAULT_FROM_EMAIL": "bench@example.invalid",
        "ADVOCACY_LOG_FORMAT": "plain",
    }


def attach() -> bool:
    """Point Django at the load database (creating and building it if missing).

    Returns True when it was built now.
    """
    import psycopg

    sys.path.insert(0, str(ROOT))
    os.environ.update(environment())
    database = os.environ["BENCH_LOAD_DB"]
    with psycopg.connect(os.environ["BENCH_ADMIN_URL"], autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{database}"')
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from advocacy.accounts.models import User
    from advocacy.cases.models import Case

    built = not User.objects.filter(username="load_sv").exists()
    have = Case.objects.filter(number__startswith="L").count()
    if built or (have < CASES and os.environ.get("BENCH_LOAD_RESUME") == "1"):
        # Batches commit one by one: a build that was stopped goes on from its last batch.
        build(start=0 if built else have)
        built = True
    _number_counters()
    return built


def _number_counters() -> None:
    """Let case_open number new cases after the bulk-made ones (which skipped the counter)."""
    from django.db.models import Max

    from advocacy.cases.models import Case, CaseNumberCounter

    for year, last in Case.objects.values_list("fiscal_year").annotate(Max("serial")):
        CaseNumberCounter.objects.update_or_create(fiscal_year=year, defaults={"last": last})


def build(start: int = 0) -> None:
    from advocacy.accounts.models import Organisation
    from advocacy.accounts.roles import Role
    from tests import factories

    if start:
        _fill(start, *_accounts_of_the_build())
        return
    city = factories.organisation(Organisation.Kind.CITY_OFFICE, name="ロード市")
    council = factories.organisation(Organisation.Kind.COUNCIL_CENTRE, name="ロード社協")
    committee = factories.organisation(Organisation.Kind.COMMITTEE, name="ロード委員会")
    city_workers = [
        factories.user(
            Role.CITY_CASEWORKER, organisation=city, username=f"load_cw{i}", password=PASSWORD
        )
        for i in range(40)
    ]
    council_workers = [
        factories.user(
            Role.COUNCIL_CASEWORKER, organisation=council, username=f"load_cc{i}", password=PASSWORD
        )
        for i in range(10)
    ]
    _others = [
        factories.user(
            Role.CITY_CASEWORKER,
            Role.SUPERVISOR,
            organisation=city,
            username="load_sv",
            password=PASSWORD,
        ),
        factories.user(
            Role.COUNCIL_CASEWORKER,
            Role.SUPERVISOR,
            organisation=council,
            username="load_csv",
            password=PASSWORD,
        ),
        factories.user(
            Role.COMMITTEE_MEMBER, organisation=committee, username="load_cm", password=PASSWORD
        ),
    ]
    _fill(0, city, council, city_workers, council_workers)


def _accounts_of_the_build() -> tuple:
    from advocacy.accounts.models import Organisation, User

    return (
        Organisation.objects.get(name="ロード市"),
        Organisation.objects.get(name="ロード社協"),
        list(User.objects.filter(username__startswith="load_cw").order_by("id")),
        list(User.objects.filter(username__startswith="load_cc").order_by("id")),
    )


def _fill(start: int, city, council, city_workers: list, council_workers: list) -> None:
    """Add the cases from start on, a batch of BATCH per transaction."""
    rnd = random.Random(20 + start)  # noqa: S311 - invented data
    from django.contrib.auth.models import Permission
    from django.db import connection, transaction
    from django.utils import timezone
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import PROCESS, STATUS

    from advocacy.access.models import CaseUserObjectPermission
    from advocacy.cases.models import Case, Person
    from advocacy.crypto.keycache import key_cache
    from advocacy.reference.models import Area
    from workflows.consultation.flows import ConsultationFlow
    from workflows.models import CaseTask

    view_case = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    areas = list(Area.objects.all())
    nodes = [ConsultationFlow.intake, ConsultationFlow.triage, ConsultationFlow.refer]
    closing = ConsultationFlow.approve_close
    today = timezone.localdate()
    print(f"building {CASES:,} cases × {TASKS_PER_PROCESS} tasks …", flush=True)
    started = time.perf_counter()
    for offset in range(start, CASES, BATCH):
        count = min(BATCH, CASES - offset)
        with transaction.atomic(), key_cache():
            persons = []
            for p in range(count // CASES_PER_PERSON):
                n = offset // CASES_PER_PERSON + p
                person = Person(
                    organisation=city if n % 5 else council,
                    name=f"ロード {n}",
                    kana=f"{rnd.choice(KANA)} {rnd.choice(GIVEN)}{n % 700}",
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
                for index in ("name_index", "kana_index", "duplicate_index"):
                    field = Person._meta.get_field(index)
                    setattr(
                        person, index, field.compute([getattr(person, s) for s in field.sources])
                    )
                persons.append(person)
            Person.objects.bulk_create(persons)
            cases = []
            for i in range(count):
                person = persons[i // CASES_PER_PERSON]
                is_city = person.organisation_id == city.pk
                workers = city_workers if is_city else council_workers
                cases.append(
                    Case(
                        number=f"L{offset + i:07d}",
                        fiscal_year=2026,
                        serial=offset + i + 1,
                        person=person,
                        organisation=person.organisation,
                        controller="city" if is_city else "council",
                        purpose="core_agency",
                        stage=rnd.choice(["consultation", "coordination", "team_support"]),
                        opened_on=today - datetime.timedelta(days=rnd.randint(0, 1500)),
                        assigned_worker=workers[(offset + i) % len(workers)],
                    )
                )
            Case.objects.bulk_create(cases)
            CaseUserObjectPermission.objects.bulk_create(
                [
                    CaseUserObjectPermission(
                        user=case.assigned_worker, permission=view_case, content_object=case
                    )
                    for case in cases
                ]
            )
            processes = Process.objects.bulk_create(
                [Process(flow_class=ConsultationFlow, status=PROCESS.NEW) for _c in cases]
            )
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO workflows_caseprocess "
                    "(process_ptr_id, case_id, lead_organisation_id, route, answer) "
                    "VALUES (%s, %s, %s, '', '')",
                    [
                        (p.pk, c.pk, c.organisation_id)
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
                            owner=case.assigned_worker,
                            finished=timezone.now(),
                        )
                    )
                supervisor_task = rnd.random() < 0.3
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
                        due_on=today + datetime.timedelta(days=rnd.randint(-30, 90)),
                        status=task.status,
                        owner_id=task.owner_id,
                    )
                    for task, (case, role) in zip(open_tasks, routes, strict=True)
                ]
            )
        done = offset + count
        if done % 20_000 == 0 or done == CASES:
            print(f"  {done:,} cases ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        # This server runs without autovacuum: a bulk-loaded table needs its visibility map
        # for index-only scans, as a production table would have (bench_stats.py).
        cursor.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    print("built" if attach() else "kept database reused")
