from __future__ import annotations

import hashlib
import hmac
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from advocacy.audit.actions import Action
from advocacy.audit.chain import canonical
from advocacy.audit.models import AuditChainHead, AuditEvent
from advocacy.audit.services import audit_record

pytestmark = pytest.mark.django_db


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def test_empty_trail_verifies():
    assert verify().startswith("OK 0 events")


def test_untouched_chain_verifies(some_events):
    assert verify().startswith("OK 5 events")


def test_small_batches_walk_the_whole_chain(some_events):
    assert verify("--batch-size", "2").startswith("OK 5 events")


def test_edited_event_is_found(some_events, tamper):
    tamper("UPDATE audit_auditevent SET label = %s WHERE sequence = 3", ["R-forged"])

    with pytest.raises(CommandError, match=r"sequence 3: content does not match its hash"):
        verify()


def test_edited_hash_is_found(some_events, tamper):
    tamper("UPDATE audit_auditevent SET hash = %s WHERE sequence = 2", ["f" * 64])

    with pytest.raises(CommandError, match=r"sequence 2: content does not match"):
        verify()


def test_deleted_event_is_found(some_events, tamper):
    tamper("DELETE FROM audit_auditevent WHERE sequence = 3")

    with pytest.raises(CommandError, match=r"sequence 3: missing"):
        verify()


def test_deleted_newest_events_are_found_by_the_head(some_events, tamper):
    tamper("DELETE FROM audit_auditevent WHERE sequence >= 4")

    with pytest.raises(CommandError, match=r"sequence 4: missing: the chain head records 5"):
        verify()


def test_reordered_pair_is_found(some_events, tamper):
    # Swap 2 and 3 through a free number, as the unique constraint demands.
    tamper("UPDATE audit_auditevent SET sequence = 1000 WHERE sequence = 2")
    tamper("UPDATE audit_auditevent SET sequence = 2 WHERE sequence = 3")
    tamper("UPDATE audit_auditevent SET sequence = 3 WHERE sequence = 1000")

    with pytest.raises(CommandError, match=r"sequence 2: does not follow the event before it"):
        verify()


def _forge_after(event: AuditEvent, *, sequence: int) -> AuditEvent:
    """Build a plausible event that links to event but is signed with a guessed key."""
    forged = AuditEvent(
        sequence=sequence,
        time=event.time,
        action=Action.ACCESS_GRANTED,
        object_id="forged",
        label="C-9999",
        fields_read=[],
        key_id=event.key_id,
        previous_hash=event.hash,
    )
    forged.hash = hmac.new(b"not the audit key", canonical(forged), hashlib.sha256).hexdigest()
    return forged


def _insert(tamper, event: AuditEvent) -> None:
    tamper(
        "INSERT INTO audit_auditevent (sequence, time, action, object_id, label, fields_read, "
        "reason, request_id, ip_address, key_id, previous_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, '', '', '', %s, %s, %s)",
        [
            event.sequence,
            event.time,
            int(event.action),
            event.object_id,
            event.label,
            json.dumps(event.fields_read),
            event.key_id,
            event.previous_hash,
            event.hash,
        ],
    )


def test_forged_event_appended_at_the_end_is_found(some_events, tamper):
    last = some_events[-1]
    _insert(tamper, _forge_after(last, sequence=6))
    AuditChainHead.objects.update(sequence=6)

    with pytest.raises(CommandError, match=r"sequence 6: content does not match its hash"):
        verify()


def test_forged_event_inserted_in_the_middle_is_found(some_events, tamper):
    # Make room after 2 by moving 3..5 up by one, via free numbers (unique constraint).
    tamper("UPDATE audit_auditevent SET sequence = sequence + 1000 WHERE sequence > 2")
    tamper("UPDATE audit_auditevent SET sequence = sequence - 999 WHERE sequence > 1000")
    _insert(tamper, _forge_after(some_events[1], sequence=3))

    with pytest.raises(CommandError, match=r"sequence 3: content does not match its hash"):
        verify()


def test_chain_keeps_verifying_after_more_events(some_events):
    audit_record(actor=None, action=Action.REPORT_EXPORTED)

    assert verify().startswith("OK 6 events")
