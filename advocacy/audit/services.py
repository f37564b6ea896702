"""Writing audit events: the only way into the chain."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import QuerySet
from django.db.models.sql import InsertQuery
from django.http import HttpRequest
from django.utils import timezone

from advocacy.statements import Statement

from .actions import Action
from .chain import GENESIS_HASH, current_key, event_hash
from .context import client_ip, current_context, new_request_id, request_id_of, set_request_id
from .models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    import uuid

    from django.contrib.auth.models import AnonymousUser

    from advocacy.accounts.models import Organisation, User

# How many chains the trail may grow to (decision 83): more than the requests one server can
# serve at once (gunicorn's workers), so an append almost never waits for another's commit.
CHAINS = 32
# A CharField always has its max_length; were it missing, every label would be refused.
LABEL_MAX = AuditEvent._meta.get_field("label").max_length or 0
# A field name ("income") or model and field ("Person.income"), never a value: letters, digits
# and underscores, as Python spells attributes.
FIELD_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,63}\.)?[A-Za-z_][A-Za-z0-9_]{0,63}")

ERR_FIELD_NAME = "fields_read takes field names only; {name!r} is not one"
ERR_LABEL = f"label is limited to {LABEL_MAX} characters (a case number, never a name)"


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: Action | int,
    obj: models.Model | None = None,
    organisation: Organisation | None = None,
    fields_read: Iterable[str] = (),
    reason: str = "",
    label: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the audit chain, inside the caller's transaction.

    actor None (or anonymous) records a system or anonymous action. organisation defaults to
    the actor's. fields_read are field names ("income" or "Person.income"), never values;
    label is a short non-personal tag such as a case number. The request id and address come
    from request, or else from the request being served (RequestContextMiddleware).
    """
    content_type = object_id = object_organisation_id = None
    if obj is not None:
        content_type = ContentType.objects.get_for_model(obj)
        object_id = str(obj.pk)
        # A case (and anything else owned by an organisation) says whose it is.
        object_organisation_id = getattr(obj, "organisation_id", None)
    return append_event(
        actor=actor,
        action=action,
        content_type=content_type,
        object_id=object_id or "",
        object_organisation_id=object_organisation_id,
        organisation=organisation,
        fields_read=fields_read,
        reason=reason,
        label=label,
        request=request,
    )


def append_event(
    *,
    actor: User | AnonymousUser | None,
    action: Action | int,
    content_type: ContentType | None = None,
    object_id: str = "",
    object_organisation_id: uuid.UUID | str | None = None,
    organisation: Organisation | None = None,
    fields_read: Iterable[str] = (),
    reason: str = "",
    label: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append an event about an object known by type and id only (see audit_record)."""
    action = Action(action)
    if actor is not None and not actor.is_authenticated:
        actor = None
    if len(label) > LABEL_MAX:
        raise ValueError(ERR_LABEL)
    organisation_id: uuid.UUID | None
    if organisation is not None:
        organisation_id = organisation.pk
    else:
        organisation_id = getattr(actor, "organisation_id", None)
    request_id, ip_address = _origin(request)
    event = AuditEvent(
        actor=actor,
        organisation_id=organisation_id,
        action=action,
        content_type=content_type,
        object_id=object_id,
        object_organisation_id=object_organisation_id,
        label=label,
        fields_read=_field_names(fields_read),
        reason=reason,
        request_id=request_id,
        ip_address=ip_address,
    )
    _chain([event])
    return event


def _chain(events: list[AuditEvent]) -> None:
    """Append events, in order, to a chain head no one holds: one lock and one move.

    Atomic without a savepoint of its own: inside a caller's transaction (a service) the
    events are part of it, and an append that fails dooms it, as it should (an action must
    not commit without its event); called outside one (a page view's read), it is its own
    transaction. A savepoint cost two more round trips on every audited write.
    """
    with transaction.atomic(savepoint=False):
        head = _lock_head()
        key_id, key = current_key()
        sequence, previous = head.sequence, head.hash
        for event in events:
            # Taken under the lock, so time never runs backwards along the chain.
            event.time = timezone.now()
            event.chain = head.pk
            event.sequence = sequence = sequence + 1
            event.previous_hash = previous
            event.key_id = key_id
            event.hash = previous = event_hash(event, key)
        _write(events, head.pk, sequence, previous)


# Events a statement inserts at most (a bulk import appends thousands on one head).
INSERT_BATCH = 500


def _write(events: list[AuditEvent], head: int, sequence: int, previous: str) -> None:
    """Insert the chained events and move their head to the last of them.

    On PostgreSQL the head's move rides in the last INSERT as a data-modifying WITH, so a
    page view's event is one statement after the lock, not two; the rows and the head are
    exactly what an INSERT per event and an UPDATE of the head would write. Elsewhere
    (SQLite, which has no UPDATE inside WITH), it is those statements.
    """
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        for event in events:
            event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=head).update(sequence=sequence, hash=previous)
        return
    quote = connection.ops.quote_name
    table = quote(AuditChainHead._meta.db_table)
    # Names from the models only; the values are parameters.
    move = (
        f"WITH moved AS (UPDATE {table} SET {quote('sequence')} = %s, {quote('hash')} = %s "  # noqa: S608
        f"WHERE {quote('id')} = %s) "
    )
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    for start in range(0, len(events), INSERT_BATCH):
        batch = events[start : start + INSERT_BATCH]
        query = InsertQuery(AuditEvent)
        query.insert_values(fields, list[models.Model](batch))
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [AuditEvent._meta.pk]
        [(sql, params)] = compiler.as_sql()
        last = start + INSERT_BATCH >= len(events)
        with connection.cursor() as cursor:
            if last:
                cursor.execute(move + sql, [sequence, previous, head, *params])
            else:
                cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        for event, pk in zip(batch, ids, strict=True):
            event.pk = pk
            event._state.adding = False
            event._state.db = connection.alias


def audit_record_many(
    *,
    actor: User | AnonymousUser | None,
    action: Action | int,
    items: Iterable[tuple[models.Model, str]],
    reason: str = "",
) -> list[AuditEvent]:
    """Append one event of action per (object, label) in items, in order (a bulk import).

    The same events as audit_record called for each, on one chain head taken once: the head
    is locked and moved once for all of them instead of once an event.
    """
    action = Action(action)
    if actor is not None and not actor.is_authenticated:
        actor = None
    organisation_id = getattr(actor, "organisation_id", None)
    request_id, ip_address = _origin(None)
    events = []
    for obj, label in items:
        if len(label) > LABEL_MAX:
            raise ValueError(ERR_LABEL)
        events.append(
            AuditEvent(
                actor=actor,
                organisation_id=organisation_id,
                action=action,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                object_organisation_id=getattr(obj, "organisation_id", None),
                label=label,
                fields_read=[],
                reason=reason,
                request_id=request_id,
                ip_address=ip_address,
            )
        )
    if events:
        _chain(events)
    return events


def _free_head_build() -> QuerySet[AuditChainHead]:
    return AuditChainHead.objects.order_by("pk").select_for_update(skip_locked=True)[:1]


# Every audited request takes a head: compiled once (advocacy.statements).
_FREE_HEAD = Statement(_free_head_build)


def _lock_head() -> AuditChainHead:
    """Return a chain head no other transaction holds, locked until the transaction ends.

    The lock is held to the commit, and a page's event is written as the last step of its
    transaction; but an append that waited for the one head (until decision 83) made every
    audited request queue behind the slowest commit. SKIP LOCKED takes the first head that is
    free (a head the transaction itself holds is free to it); when every head is held, one
    more chain is begun, up to CHAINS; past that, the append waits for a head like before.
    (SQLite has one writer at a time: it always takes head 1.)
    """
    free: list[AuditChainHead] = _FREE_HEAD()
    if free:
        return free[0]
    count = AuditChainHead.objects.count()
    if count < CHAINS:
        # A new chain. Two writers that begin the same one: the conflict clause makes the
        # second wait for the first's commit and then find the head held or free.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=count + 1, sequence=0, hash=GENESIS_HASH)], ignore_conflicts=True
        )
        heads = AuditChainHead.objects.select_for_update(skip_locked=True)
        head = heads.filter(pk=count + 1).first()
        if head is not None:
            return head
    # Every chain is held: wait for one, chosen at random so the waiters spread out.
    return AuditChainHead.objects.select_for_update().get(pk=1 + secrets.randbelow(max(count, 1)))


def _origin(request: HttpRequest | None) -> tuple[str, str]:
    """Return (request id, client address) of request, or of the request being served."""
    context = current_context()
    if request is None:
        return (context.request_id, context.ip_address) if context else ("", "")
    request_id = request_id_of(request) or (context.request_id if context else "")
    if not request_id:
        # A request that did not pass the middleware (a test, a management view): its events
        # still share one id.
        request_id = new_request_id()
        set_request_id(request, request_id)
    return request_id, client_ip(request)


def _field_names(names: Iterable[str]) -> list[str]:
    """Return the names without repeats; refuse anything that does not look like a field name."""
    if isinstance(names, str):
        names = [names]
    result: list[str] = []
    for name in names:
        if not isinstance(name, str) or not FIELD_NAME.fullmatch(name):
            raise ValueError(ERR_FIELD_NAME.format(name=_shape(name)))
        if name not in result:
            result.append(name)
    return result


def _shape(value: object) -> str:
    # The rejected "name" may be a value that was passed by mistake: show its kind, not it.
    return f"<{type(value).__name__} of length {len(value) if hasattr(value, '__len__') else '?'}>"
