from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from .conftest import connected_as_app_role, on_postgresql

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not on_postgresql(), reason="trigger is PostgreSQL-only"),
]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET reason = 'rewritten' WHERE sequence = 1",
        "DELETE FROM audit_auditevent WHERE sequence = 1",
        "UPDATE audit_auditevent SET reason = reason",
        "DELETE FROM audit_auditevent",
    ],
)
def test_database_refuses_to_change_events(some_events, sql):
    # As the application role the grants refuse first; as the owner, the trigger.
    refusal = "permission denied" if connected_as_app_role() else "append-only"
    with pytest.raises(DatabaseError, match=refusal):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(reason) FROM audit_auditevent")
        assert cursor.fetchone() == (5, "")


def test_database_still_accepts_new_events(some_events):
    from advocacy.audit.actions import Action
    from advocacy.audit.services import audit_record

    assert audit_record(actor=None, action=Action.LOGOUT).sequence == 6
