from __future__ import annotations

import pytest
from django.db import connection

from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def tamper():
    """Run raw SQL on the audit table as an attacker with database superuser rights would."""

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
