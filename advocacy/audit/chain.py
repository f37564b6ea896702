"""The hash chain: how an event is hashed, and how the stored chain is checked."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC

from advocacy.crypto.keyring import get_keyring

from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
# Part of every hashed message, so that a future change of the serialisation can be told apart.
FORMAT = 1


def current_key() -> tuple[str, bytes]:
    """Return (id, bytes) of the audit key that signs new events."""
    key = get_keyring().audit_key
    return key.id, key.key


def known_keys() -> dict[str, bytes]:
    """Return every audit key that verification may meet, by id."""
    # The key file holds one audit key today. When audit keys can be rotated, the retired ones
    # must stay readable here, or older events will report "unknown audit key".
    key_id, key = current_key()
    return {key_id: key}


def canonical(event: AuditEvent) -> bytes:
    """Return the bytes the event's hash covers: all its content and the previous hash."""
    content = {
        "format": FORMAT,
        "sequence": event.sequence,
        "time": event.time.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "organisation": str(event.organisation_id) if event.organisation_id else None,
        "action": int(event.action),
        "content_type": event.content_type_id,
        "object_id": event.object_id,
        "object_organisation": (
            str(event.object_organisation_id) if event.object_organisation_id else None
        ),
        "label": event.label,
        "fields_read": list(event.fields_read),
        "reason": event.reason,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
        "key_id": event.key_id,
        "previous_hash": event.previous_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: AuditEvent, key: bytes) -> str:
    return hmac.new(key, canonical(event), hashlib.sha256).hexdigest()


def events_in_order(*, batch_size: int = 1000) -> Iterator[AuditEvent]:
    """Yield every event by sequence, one batch in memory at a time."""
    # Keyset pages rather than one server-side cursor: no transaction held open for hours.
    last = -1
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        last = batch[-1].sequence


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the stored chain is not what audit_record wrote."""

    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"sequence {self.sequence}: {self.problem}"


def verify_chain(
    events: Iterable[AuditEvent], *, head: AuditChainHead | None, keys: dict[str, bytes]
) -> tuple[int, ChainBreak | None]:
    """Walk events in sequence order; return how many were good and the first break, if any.

    head is the chain head as read before the walk; events appended while walking are
    checked like the others.
    """
    head_sequence = head.sequence if head else 0
    hash_at_head = GENESIS_HASH
    expected = 1
    previous = GENESIS_HASH
    count = 0
    for event in events:
        if event.sequence != expected:
            if event.sequence > expected:
                problem = f"missing (the next stored event is {event.sequence}): deleted?"
            else:
                problem = f"out of order (found {event.sequence})"
            return count, ChainBreak(expected, problem)
        if event.previous_hash != previous:
            return count, ChainBreak(
                expected,
                "does not follow the event before it (inserted, deleted or reordered?)",
            )
        key = keys.get(event.key_id)
        if key is None:
            return count, ChainBreak(expected, f"signed with unknown audit key {event.key_id!r}")
        if not hmac.compare_digest(event_hash(event, key), event.hash):
            return count, ChainBreak(expected, "content does not match its hash (edited?)")
        if event.sequence == head_sequence:
            hash_at_head = event.hash
        previous = event.hash
        expected += 1
        count += 1
    # A sound chain must also reach where the appends had left it: deleting the newest events
    # leaves no gap to see, but the head remembers.
    if count < head_sequence:
        return count, ChainBreak(
            count + 1, f"missing: the chain head records {head_sequence} events, found {count}"
        )
    if head is not None and hash_at_head != head.hash:
        return head_sequence - 1, ChainBreak(
            head_sequence, "does not match the hash recorded in the chain head"
        )
    return count, None
