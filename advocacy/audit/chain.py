"""The hash chain: how an event is hashed, and how the stored chain is checked."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC

from django.db.models import Q

from advocacy.crypto.keyring import get_keyring

from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
# Part of every hashed message, so that a change of the serialisation can be told apart.
# Format 1: the single chain's events (chain 1), as they were hashed before the trail had
# several chains; format 2 adds the chain's number, for events of every other chain.
FORMAT = 1
FORMAT_CHAINED = 2


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
    content: dict[str, object] = {
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
    if event.chain != 1:
        # Chain 1's events keep their format, so the trail written before decision 83 still
        # verifies; every other chain's number is signed, so no event moves between chains.
        content.update(format=FORMAT_CHAINED, chain=event.chain)
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: AuditEvent, key: bytes) -> str:
    return hmac.new(key, canonical(event), hashlib.sha256).hexdigest()


def events_in_order(*, batch_size: int = 1000) -> Iterator[AuditEvent]:
    """Yield every event by chain, then sequence, one batch in memory at a time."""
    # Keyset pages rather than one server-side cursor: no transaction held open for hours.
    last = (0, -1)
    while True:
        after = Q(chain__gt=last[0]) | Q(chain=last[0], sequence__gt=last[1])
        batch = list(AuditEvent.objects.filter(after).order_by("chain", "sequence")[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        last = (batch[-1].chain, batch[-1].sequence)


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the stored chain is not what audit_record wrote."""

    chain: int
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"chain {self.chain}, sequence {self.sequence}: {self.problem}"


def verify_chain(
    events: Iterable[AuditEvent], *, heads: Iterable[AuditChainHead], keys: dict[str, bytes]
) -> tuple[int, ChainBreak | None]:
    """Walk events by chain and sequence; return how many were good and the first break.

    heads are the chain heads as read before the walk; events appended while walking are
    checked like the others. Each chain is checked on its own, as the single chain was.
    """
    by_chain = {head.pk: head for head in heads}
    count = 0
    walk: _ChainWalk | None = None
    for event in events:
        if walk is None or event.chain != walk.chain:
            if walk is not None and (problem := walk.end()):
                return count, problem
            walk = _ChainWalk(event.chain, by_chain.pop(event.chain, None))
        if problem := walk.step(event, keys):
            return count, problem
        count += 1
    if walk is not None and (problem := walk.end()):
        return count, problem
    # A head whose chain has no event left: every one of them was deleted.
    for chain, head in sorted(by_chain.items()):
        if problem := _ChainWalk(chain, head).end():
            return count, problem
    return count, None


class _ChainWalk:
    """The walk along one chain, checked against its head as read before the walk."""

    def __init__(self, chain: int, head: AuditChainHead | None) -> None:
        self.chain = chain
        self.head = head
        self.expected = 1
        self.previous = GENESIS_HASH
        self.hash_at_head = GENESIS_HASH

    def step(self, event: AuditEvent, keys: dict[str, bytes]) -> ChainBreak | None:
        expected = self.expected
        if event.sequence != expected:
            if event.sequence > expected:
                problem = f"missing (the next stored event is {event.sequence}): deleted?"
            else:
                problem = f"out of order (found {event.sequence})"
            return ChainBreak(self.chain, expected, problem)
        if event.previous_hash != self.previous:
            return ChainBreak(
                self.chain,
                expected,
                "does not follow the event before it (inserted, deleted or reordered?)",
            )
        key = keys.get(event.key_id)
        if key is None:
            return ChainBreak(
                self.chain, expected, f"signed with unknown audit key {event.key_id!r}"
            )
        if not hmac.compare_digest(event_hash(event, key), event.hash):
            return ChainBreak(self.chain, expected, "content does not match its hash (edited?)")
        if self.head is not None and event.sequence == self.head.sequence:
            self.hash_at_head = event.hash
        self.previous = event.hash
        self.expected += 1
        return None

    def end(self) -> ChainBreak | None:
        """Check the walk reached where the appends had left the chain (its head)."""
        # Deleting the newest events leaves no gap to see, but the head remembers.
        head, count = self.head, self.expected - 1
        if head is None:
            return None
        if count < head.sequence:
            return ChainBreak(
                self.chain,
                count + 1,
                f"missing: the chain head records {head.sequence} events, found {count}",
            )
        if self.hash_at_head != head.hash:
            return ChainBreak(
                self.chain, head.sequence, "does not match the hash recorded in the chain head"
            )
        return None


def heads_anchor(heads: Iterable[AuditChainHead]) -> str:
    """Return one digest of every head (chain, sequence, hash), to keep outside the database."""
    text = ",".join(f"{h.pk}:{h.sequence}:{h.hash}" for h in sorted(heads, key=lambda h: h.pk))
    return hashlib.sha256(text.encode()).hexdigest()
