from __future__ import annotations

import pytest
from django.db import connection

from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def connected_as_app_role() -> bool:
    """True when the tests connect as a role that neither is a superuser nor owns the tables.

    .ci/run runs tests/audit once so, as the application role of docs/operations.md.
    """
    if not on_postgresql():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper OR pg_has_role(current_user, t.tableowner, 'USAGE') "
            "FROM pg_roles r, pg_tables t "
            "WHERE r.rolname = current_user AND t.tablename = 'audit_auditevent'"
        )
        (privileged,) = cursor.fetchone()
    return not privileged


@pytest.fixture
def tamper():
    """Run raw SQL on the audit table as an attacker with database superuser rights would."""

    if connected_as_app_role():
        pytest.skip("the attacker here is a superuser; the main PostgreSQL run has one")

    def run(sql: str, params: list | tuple = ()) -> None:
        with connection.cursor() as cursor:
            if on_postgresql():
                # Replica mode skips ordinary triggers; only a superuser may switch to it.
                # SET LOCAL ends with the test's transaction at the latest.
                cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params)
            if on_postgresql():
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    return run


@pytest.fixture
def some_events(city):
    """Five events by the system, oldest first."""
    return [
        audit_record(actor=None, action=Action.REPORT_VIEWED, organisation=city, label=f"R{n}")
        for n in range(1, 6)
    ]
