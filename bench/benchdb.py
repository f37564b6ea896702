"""A throw-away database and key file for a benchmark run; never the development database.

Call ``setup(name)`` before importing anything from Django, and ``teardown()`` at the end.
With DATABASE_URL naming PostgreSQL, a fresh database is created next to it and dropped
afterwards; otherwise a temporary SQLite file is used.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
_state: dict[str, str] = {}

# A WITH whose first part writes (the audit append moves its chain's head that way) is a write.
_WRITING_WITH = re.compile(r"\s*WITH\s+\S+\s+AS\s+\(\s*(UPDATE|INSERT|DELETE)\b", re.IGNORECASE)


def is_read(sql: str) -> bool:
    """Whether a captured statement only reads: what a bench replays as a page's bare SQL."""
    return sql.lstrip().upper().startswith(("SELECT", "WITH")) and not _WRITING_WITH.match(sql)


@contextlib.contextmanager
def commits_timed(record: Callable[[float], None]) -> Iterator[None]:
    """Call record(seconds) for each COMMIT in the block.

    A COMMIT is no cursor statement (an execute_wrapper does not see it): it goes through the
    connection's _commit, which is wrapped for the block.
    """
    from django.db import connection

    commit = connection._commit

    def timed_commit():
        start = time.perf_counter()
        try:
            return commit()
        finally:
            record(time.perf_counter() - start)

    connection._commit = timed_commit
    try:
        yield
    finally:
        del connection._commit  # the instance attribute: the class's method again


def setup(name: str, *, test_apps: bool = False) -> bool:
    """Point Django at a fresh database and key file, migrate, and return True on PostgreSQL."""
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "advocacy.settings"
    reuse = os.environ.get("BENCH_REUSE", "")
    # A kept database can only be read with the key file it was built with.
    os.environ["ADVOCACY_KEY_FILE"] = os.environ.get("BENCH_REUSE_KEYS") or str(
        workdir / "keys.json"
    )
    os.environ["ADVOCACY_KEY_FILE_AUTOCREATE"] = "1"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + secrets.token_hex(24))
    os.environ["DJANGO_HTTPS"] = "0"
    os.environ["DJANGO_STATIC_MANIFEST"] = "0"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    # With DEBUG off the settings want a mail host and sender; the bench sends no mail.
    os.environ.setdefault("DJANGO_EMAIL_HOST", "mail.invalid")
    os.environ.setdefault("DJANGO_DEFAULT_FROM_EMAIL", "bench@example.invalid")
    # Pages are requested with force_login: the staff's second factor would answer every one
    # of them with a redirect to the code page.
    os.environ["ADVOCACY_OTP_FOR_STAFF"] = "0"
    if test_apps:
        os.environ["ADVOCACY_TEST_APPS"] = "1"
    url = os.environ.get("DATABASE_URL", "")
    is_pg = url.startswith("postgres")
    if is_pg and reuse:
        # A database kept by an earlier run (BENCH_KEEP=1): measure again without rebuilding.
        _state.update(admin_url=url, database=reuse, reused="1")
        os.environ["BENCH_KEEP"] = "1"
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path="/" + reuse))
    elif is_pg:
        import psycopg

        database = f"bench_{name}_{os.getpid()}"
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        _state.update(admin_url=url, database=database)
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path="/" + database))
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"

    import django
    from django.core.management import call_command

    django.setup()
    if "reused" not in _state:
        call_command("migrate", verbosity=0)
    return is_pg


def reused() -> bool:
    """Return True when setup() attached to a kept database instead of building one."""
    return "reused" in _state


def teardown() -> None:
    """Drop the PostgreSQL database made by setup (the SQLite file is left in /tmp).

    BENCH_KEEP=1 keeps it, to study query plans afterwards; its name is printed.
    """
    if "database" not in _state:
        return
    if os.environ.get("BENCH_KEEP") == "1":
        print(
            f"kept database {_state['database']}; measure again with "
            f"BENCH_REUSE={_state['database']} BENCH_REUSE_KEYS={os.environ['ADVOCACY_KEY_FILE']}"
        )
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(_state["admin_url"], autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{_state["database"]}"')
