"""Benchmark the Excel ledger import: a dry run and a full import of ROWS invented rows.

Run: .venv/bin/python bench/bench_ledger.py [rows]                        (SQLite, default 10000)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
     .venv/bin/python bench/bench_ledger.py [rows]                        (PostgreSQL)

The workbook is built in memory with openpyxl as a city keeps it (和暦 dates as text,
half-width kana, the city's words): 60 % consultations, 20 % in coordination (parked for
review), 20 % with a ruling (team support). The import runs through the same service the
command and the screen call, in batches of 200. The time is split into reading and parsing
the workbook, encryption (AES-GCM sealing, with the data-key lookups it makes, less their
SQL), SQL (every query, measured at the cursor) and the rest (ORM, viewflow, the audit
chain's hashing). The machine's load average is printed with the figures.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
IS_PG = benchdb.setup("ledger")

from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from advocacy.accounts.models import Organisation  # noqa: E402
from advocacy.accounts.roles import Role  # noqa: E402
from advocacy.accounts.services import organisation_create, user_create  # noqa: E402
from advocacy.crypto.fields import EncryptedMixin  # noqa: E402
from advocacy.ledger import services  # noqa: E402
from advocacy.ledger.mapping import mapping_from_json, template_mapping  # noqa: E402

KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ"


def _kana(n: int) -> str:
    digits = []
    for _ in range(4):
        n, r = divmod(n, len(KANA))
        digits.append(KANA[r])
    return "ｶｸｳ " + "".join(digits)  # half-width family name, as old ledgers type it


def workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "台帳"
    sheet.append(list(template_mapping().columns.values()))
    for n in range(rows):
        kind = n % 5
        year = 1 + n % 6  # 令和1..6
        row = {
            "case_number": f"R{year}-{n:05d}",
            "name": f"架空 {n}号",
            "kana": _kana(n),
            "birth_date": f"昭和{10 + n % 50}年{1 + n % 12}月{1 + n % 28}日",
            "sex": "女" if n % 2 else "男",
            "address": f"架空県架空市{n}番地",
            "area": "高島",
            "category": "高齢者",
            "referrer": "ケアマネジャー",
            "consulted_on": f"R{year}.5.{1 + n % 28}",
            "conference_on": f"R{year}.6.{1 + n % 28}" if kind >= 3 else None,
            "petition_on": f"R{year}.7.{1 + n % 28}" if kind >= 3 else None,
            "ruling_on": f"R{year}.9.{1 + n % 28}" if kind == 4 else None,
            "type": "後見" if kind >= 3 else None,
            "profession": "司法書士" if kind == 4 else None,
            "status": None,
            "closed_on": None,
            "notes": "架空の相談内容",
            "living_situation": "自宅" if n % 3 else "施設",
            "household_type": "独居" if n % 2 else "同居",
            "petitioner": ("市長" if n % 10 == 3 else "本人") if kind >= 3 else None,
            "approved_on": f"R{year}.6.{1 + n % 28}" if kind >= 3 and n % 10 == 3 else None,
        }
        sheet.append(list(row.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Timers:
    def __init__(self) -> None:
        self.sql = 0.0
        self.crypto = 0.0
        self.sql_in_crypto = 0.0
        self.in_crypto = False
        self.queries = 0

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.sql += spent
            self.queries += 1
            if self.in_crypto:
                self.sql_in_crypto += spent


def main() -> None:
    timers = Timers()
    real_encrypt = EncryptedMixin.encrypt_for

    def timed_encrypt(self, instance, value):
        started = time.perf_counter()
        timers.in_crypto = True
        try:
            return real_encrypt(self, instance, value)
        finally:
            timers.in_crypto = False
            timers.crypto += time.perf_counter() - started

    EncryptedMixin.encrypt_for = timed_encrypt  # type: ignore[method-assign]
    organisation = organisation_create(name="架空市 ベンチ", kind=Organisation.Kind.CITY_OFFICE)
    supervisor = user_create(
        username="bench_sv",
        password="bench-only-password-2026",  # noqa: S106 (a throw-away database)
        organisation=organisation,
        roles=[Role.CITY_CASEWORKER, Role.SUPERVISOR],
        last_name="架空",
        first_name="監督",
        email="bench@example.invalid",
    )
    mapping = mapping_from_json(template_mapping().to_json())
    started = time.perf_counter()
    data = workbook(ROWS)
    build = time.perf_counter() - started

    started = time.perf_counter()
    check = services.ledger_check(actor=supervisor, data=data, mapping=mapping)
    dry = time.perf_counter() - started
    if check.issues:
        sys.exit(f"unexpected issues: {check.issues[:3]}")

    timers.sql = timers.crypto = timers.sql_in_crypto = 0.0
    with connection.execute_wrapper(timers.execute):
        started = time.perf_counter()
        ledger_import, run_check = services.ledger_import_run(
            actor=supervisor, data=data, mapping=mapping
        )
        total = time.perf_counter() - started
    parse = run_check.seconds["parse"]
    crypto = timers.crypto - timers.sql_in_crypto
    rest = total - parse - crypto - timers.sql
    load = os.getloadavg()
    print(
        f"database: {'PostgreSQL' if IS_PG else 'SQLite'}; rows: {ROWS}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; build workbook {build:.1f} s"
    )
    print(
        f"dry run: {dry:.1f} s ({ROWS / dry:.0f} rows/s; parse {check.seconds['parse']:.1f} s, "
        f"known-person and number checks {check.seconds['check']:.1f} s)"
    )
    print(
        f"import: {total:.1f} s ({ROWS / total:.0f} rows/s), {ledger_import.cases_created} cases, "
        f"{timers.queries} queries"
    )
    print(
        f"  read+parse {parse:.1f} s | encryption {crypto:.1f} s | SQL {timers.sql:.1f} s | "
        f"rest (ORM, viewflow, audit chain) {rest:.1f} s"
    )


try:
    main()
finally:
    benchdb.teardown()
