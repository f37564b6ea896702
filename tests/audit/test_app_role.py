"""The application's database role cannot rewrite, empty or reshape the audit trail.

Run as the application role (.ci/run does, after deploy/postgres-grants.sql), the attacks go
straight at the tables. Run as a superuser (the main PostgreSQL run), each test first makes a
fresh role inside its transaction, gives it deploy/postgres-grants.sql, and attacks as it.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record

from .conftest import connected_as_app_role, on_postgresql

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not on_postgresql(), reason="database roles are PostgreSQL's"),
]

GRANTS = Path(__file__).resolve().parents[2] / "deploy" / "postgres-grants.sql"


def _grant_statements(role: str) -> list[str]:
    text = "\n".join(
        line
        for line in GRANTS.read_text().splitlines()
        if not line.startswith(("--", "\\")) and line.strip()
    )
    return [s.strip() for s in text.replace(':"app"', f'"{role}"').split(";") if s.strip()]


@pytest.fixture
def as_app_role(some_events):
    """A cursor acting as the application role, with the five events of some_events."""
    with connection.cursor() as cursor:
        if not connected_as_app_role():
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            assert cursor.fetchone() == (True,), "run as a superuser or as the app role"
            role = f"test_app_{uuid.uuid4().hex[:12]}"
            # CREATE ROLE and the grants end with the test's transaction, like everything else.
            cursor.execute(f'CREATE ROLE "{role}"')
            for statement in _grant_statements(role):
                cursor.execute(statement)
            cursor.execute(f'SET LOCAL ROLE "{role}"')
        yield cursor


def _refused(cursor, sql: str) -> str:
    with pytest.raises(ProgrammingError) as refusal, transaction.atomic():
        cursor.execute(sql)
    return str(refusal.value)


@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE audit_auditevent",
        "TRUNCATE audit_auditevent CASCADE",
        "DELETE FROM audit_auditevent",
        "DELETE FROM audit_auditevent WHERE sequence = 5",
        "UPDATE audit_auditevent SET reason = 'rewritten' WHERE sequence = 1",
    ],
)
def test_the_app_role_may_not_change_or_empty_the_trail(as_app_role, sql):
    message = _refused(as_app_role, sql)

    # Refused by the grants, before the trigger is even asked.
    assert "permission denied for table audit_auditevent" in message
    as_app_role.execute("SELECT count(*) FROM audit_auditevent")
    assert as_app_role.fetchone() == (5,)


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
        "ALTER TABLE audit_auditevent ADD COLUMN note text",
        "DROP TABLE audit_auditevent",
        "CREATE TABLE audit_copy (id int)",
        "CREATE INDEX audit_sneaky ON audit_auditevent (reason)",
    ],
)
def test_the_app_role_may_not_change_the_schema(as_app_role, sql):
    message = _refused(as_app_role, sql)

    assert "must be owner" in message or "permission denied" in message


def test_the_app_role_still_appends_and_reads(as_app_role):
    event = audit_record(actor=None, action=Action.LOGOUT)

    assert event.sequence == 6
    as_app_role.execute("SELECT max(sequence) FROM audit_auditevent")
    assert as_app_role.fetchone() == (6,)
