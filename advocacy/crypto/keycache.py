"""Unwrapped data keys, cached for one request (or one `with key_cache():` block).

The cache lives in a context variable, so each request, thread or task has its own, and it is
dropped when the scope ends: a person erased by another process stops being readable here at the
next request at the latest. Outside any scope nothing is cached and every owner lookup costs
one query.

A transaction that creates or destroys an owner's keys may still roll back; what was cached
about that owner inside it is trusted only while the transaction is open or once it has
committed (see _Pending).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, connections, router, transaction

from .datakeys import new_data_key_row, unwrap_parts
from .erased import ERASED
from .exceptions import DecryptionError, EncryptionError, OwnerErasedError
from .keyring import Keyring, get_keyring, on_reset
from .models import DataKey

if TYPE_CHECKING:
    from .erased import _Erased

# Owners per query when loading many; a page of rows stays well below this.
_CHUNK = 1000


class OwnerKeys:
    """What is known about one owner's data keys."""

    __slots__ = ("live", "failed", "destroyed")

    def __init__(
        self,
        live: dict[int, AESGCM] | None = None,
        failed: dict[int, DecryptionError] | None = None,
        destroyed: set[int] | None = None,
    ) -> None:
        self.live = live or {}
        self.failed = failed or {}
        self.destroyed = destroyed or set()

    @property
    def current(self) -> int | None:
        generations = [*self.live, *self.failed]
        return max(generations) if generations else None

    @property
    def erased(self) -> bool:
        return bool(self.destroyed) and self.current is None

    def decryption_key(self, generation: int) -> AESGCM | _Erased:
        """Return the AESGCM for one generation, or ERASED; raise DecryptionError otherwise."""
        aead = self.live.get(generation)
        if aead is not None:
            return aead
        if generation in self.failed:
            raise self.failed[generation]
        if generation in self.destroyed:
            if self.erased:
                return ERASED
            raise DecryptionError(
                "retired_generation",
                detail=f"data key generation {generation} was destroyed after re-encryption",
            )
        raise DecryptionError("missing_data_key", detail=f"no data key generation {generation}")

    def __repr__(self) -> str:
        return f"OwnerKeys(live={sorted(self.live)}, destroyed={sorted(self.destroyed)})"


class KeyCache:
    """Per-scope map from owner id to that owner's unwrapped data keys."""

    def __init__(self) -> None:
        self.owners: dict[uuid.UUID, OwnerKeys] = {}
        self.pending: dict[uuid.UUID, _Pending] = {}
        self.unwraps = 0

    def __repr__(self) -> str:
        return f"KeyCache({len(self.owners)} owners)"

    def get(self, owner_id: uuid.UUID) -> OwnerKeys | None:
        pending = self.pending.get(owner_id) if self.pending else None
        if pending is not None and not pending.still_open():
            # The transaction that changed this owner's keys rolled back.
            del self.pending[owner_id]
            self.owners.pop(owner_id, None)
        return self.owners.get(owner_id)

    def clear(self) -> None:
        self.owners.clear()
        self.pending.clear()


class _Pending:
    """An on_commit callback that marks an owner's cached keys as committed.

    Django drops on_commit callbacks of a transaction or savepoint that rolls back; finding
    this callback gone without having run means the cached entry came from a rolled-back
    transaction.
    """

    def __init__(self, cache: KeyCache, owner_id: uuid.UUID, using: str) -> None:
        self.cache = cache
        self.owner_id = owner_id
        self.using = using
        self._found_in: list[Any] | None = None

    def __call__(self) -> None:
        if self.cache.pending.get(self.owner_id) is self:
            del self.cache.pending[self.owner_id]

    def still_open(self) -> bool:
        connection = transaction.get_connection(self.using)
        callbacks = connection.run_on_commit
        # Django only appends to this list in place; a rollback or a commit puts a new list
        # in its place. The list this callback was found in, still there, still holds it:
        # without this, a bulk import's thousands of new keys scanned it once an encryption.
        if callbacks is self._found_in:
            return True
        if any(func is self for _, func, _ in callbacks):
            self._found_in = callbacks
            return True
        return False


_scope: ContextVar[KeyCache | None] = ContextVar("advocacy_crypto_key_cache", default=None)


@contextmanager
def key_cache() -> Iterator[KeyCache]:
    """Cache unwrapped data keys until the block ends; nested blocks share the outer cache."""
    outer = _scope.get()
    if outer is not None:
        yield outer
        return
    cache = KeyCache()
    token = _scope.set(cache)
    try:
        yield cache
    finally:
        _scope.reset(token)
        cache.clear()


def current_cache() -> KeyCache | None:
    return _scope.get()


def clear_current() -> None:
    """Forget every key in the current scope (used when the key file changes)."""
    cache = _scope.get()
    if cache is not None:
        cache.clear()


def as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _db_alias() -> str:
    return router.db_for_write(DataKey)


_COLUMNS = ("owner_id", "generation", "master_key_id", "wrapped", "destroyed_at")
# One row of _COLUMNS (the wrapped bytes come back as bytes or memoryview, by backend).
_KeyRow = tuple[uuid.UUID, int, str, bytes | memoryview, datetime | None]
# What an unwrap depends on: (owner UUID's int, generation, master key id, wrapped bytes).
_MemoKey = tuple[int, int, str, bytes]


class _UnwrapMemo:
    """Unwrapped data keys by the exact wrapped row they came from, across requests.

    Unwrapping is a pure function of (owner, generation, master key, wrapped bytes), so
    remembering its result changes nothing about who can read what: every request still reads
    the key rows, and a destroyed or re-wrapped row is never looked up here again. What it
    saves is the AES unwrap and the AESGCM set-up, most of the fixed cost of a page. It holds
    nothing an attacker with this process's memory lacks: the master keys are there too.
    Forgotten whenever the key file changes.

    The oldest entry goes first when it is full (sized above the number of people served, so
    that is rare). Reads take no lock: a dict lookup is atomic, and a page makes one per owner.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: dict[_MemoKey, AESGCM] = {}
        self.lock = threading.Lock()

    def get(self, key: _MemoKey) -> AESGCM | None:
        return self.entries.get(key)

    def put(self, key: _MemoKey, aead: AESGCM) -> None:
        with self.lock:
            self.entries[key] = aead
            while len(self.entries) > self.size:
                del self.entries[next(iter(self.entries))]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


# About 10,000 people is the size this system is built for; an entry is a few hundred bytes.
unwrap_memo = _UnwrapMemo(size=20_000)
on_reset(unwrap_memo.clear)


def _unwrapped(
    owner_id: uuid.UUID, generation: int, master_key_id: str, wrapped: bytes, keyring: Keyring
) -> AESGCM:
    # The UUID's int, not the UUID: it hashes in C.
    key = (owner_id.int, generation, master_key_id, wrapped)
    aead = unwrap_memo.get(key)
    if aead is None:
        aead = AESGCM(unwrap_parts(owner_id, generation, master_key_id, wrapped, keyring))
        unwrap_memo.put(key, aead)
    return aead


def _build(rows: Iterable[_KeyRow], cache: KeyCache | None) -> dict[uuid.UUID, OwnerKeys]:
    keyring = get_keyring()
    owners: dict[uuid.UUID, OwnerKeys] = {}
    for owner_id, generation, master_key_id, wrapped, destroyed_at in rows:
        entry = owners.get(owner_id)
        if entry is None:
            entry = owners[owner_id] = OwnerKeys()
        if destroyed_at is not None:
            entry.destroyed.add(generation)
            continue
        try:
            entry.live[generation] = _unwrapped(
                owner_id, generation, master_key_id, bytes(wrapped), keyring
            )
        except DecryptionError as exc:
            # Kept, not raised: the field that needs this key raises it, with the signal.
            entry.failed[generation] = exc
        if cache is not None:
            cache.unwraps += 1
    return owners


_SELECT_KEY_ROWS: dict[str, str] = {}


def _key_rows(owner_ids: list[uuid.UUID], using: str) -> list[_KeyRow]:
    """Return the _COLUMNS of every key row of owner_ids.

    Plain SQL, because every page runs this: building it through the ORM costs about three
    times what the database takes to answer (bench/bench_crypto.py).
    """
    connection = connections[using]
    owner = DataKey._meta.get_field("owner_id")
    # Quoting is the backend's; the statement is the same for every connection of a backend.
    select = _SELECT_KEY_ROWS.get(connection.vendor)
    if select is None:
        quote = connection.ops.quote_name
        meta = DataKey._meta
        columns = {f.name: f.column for f in meta.concrete_fields}
        select = _SELECT_KEY_ROWS[connection.vendor] = "SELECT {} FROM {} WHERE {} IN ".format(  # noqa: S608
            ", ".join(quote(columns[name]) for name in _COLUMNS),
            quote(meta.db_table),
            quote(owner.column),
        )
    asked = {owner.get_db_prep_value(o, connection): o for o in owner_ids}
    with connection.cursor() as cursor:
        cursor.execute(select + "({})".format(", ".join(["%s"] * len(asked))), list(asked))
        rows = cursor.fetchall()
    # Back to the UUIDs asked for: SQLite hands them back as hex text.
    return [(asked.get(row[0]) or as_uuid(row[0]), *row[1:]) for row in rows]


def _load(owner_ids: set[uuid.UUID], cache: KeyCache | None) -> dict[uuid.UUID, OwnerKeys]:
    found: dict[uuid.UUID, OwnerKeys] = {}
    ids = list(owner_ids)
    using = _db_alias()
    for start in range(0, len(ids), _CHUNK):
        found.update(_build(_key_rows(ids[start : start + _CHUNK], using), cache))
    for owner_id in ids:
        entry = found.get(owner_id)
        if entry is None:
            entry = found[owner_id] = OwnerKeys()
        if cache is not None:
            cache.owners[owner_id] = entry
    return found


def owner_keys(owner_id: uuid.UUID) -> OwnerKeys:
    """Return the owner's keys, from the cache or with one query."""
    cache = _scope.get()
    if cache is not None:
        entry = cache.get(owner_id)
        if entry is not None:
            return entry
    return _load({owner_id}, cache)[owner_id]


def load_owners(owner_ids: Iterable[object]) -> int:
    """Load into the current scope the keys of every owner not yet cached; return the count.

    One query per 1,000 owners. Without a scope there is nowhere to keep them, so nothing
    happens.
    """
    cache = _scope.get()
    if cache is None:
        return 0
    asked = {as_uuid(o) for o in owner_ids if o is not None}
    missing = {o for o in asked if cache.get(o) is None}
    if missing:
        _load(missing, cache)
    return len(missing)


def encryption_key(owner_id: uuid.UUID) -> tuple[int, AESGCM]:
    """Return (generation, AESGCM) of the owner's current data key, creating the first one."""
    entry = owner_keys(owner_id)
    if entry.current is None:
        if entry.erased:
            raise OwnerErasedError(
                f"The data of owner {owner_id} was erased; nothing new may be stored for them."
            )
        entry = _create_first_key(owner_id)
    generation = entry.current
    if generation is None:
        # Only if another process erased the owner while this one created their first key.
        raise OwnerErasedError(
            f"The data of owner {owner_id} was erased; nothing new may be stored for them."
        )
    if generation in entry.failed:
        raise EncryptionError(
            f"The current data key of owner {owner_id} cannot be unwrapped "
            f"({entry.failed[generation].reason})."
        )
    return generation, entry.live[generation]


def _create_first_key(owner_id: uuid.UUID) -> OwnerKeys:
    using = _db_alias()
    row, data_key = new_data_key_row(owner_id, 1)
    try:
        with transaction.atomic(using=using):
            row.save(using=using)
    except IntegrityError:
        # Another request created it between our read and our insert; use theirs.
        mark_changed(owner_id)
        return owner_keys(owner_id)
    entry = OwnerKeys(live={1: AESGCM(data_key)})
    mark_changed(owner_id, entry)
    return entry


def create_first_keys(owner_ids: Iterable[uuid.UUID]) -> None:
    """Create the first data key of many new owners with one insert (a bulk import).

    In the caller's transaction and without the race handling of ``_create_first_key``: the
    owners are rows the caller is creating now, so nobody else can be giving them a key.
    """
    using = _db_alias()
    created = []
    for owner_id in owner_ids:
        row, data_key = new_data_key_row(owner_id, 1)
        created.append((row, OwnerKeys(live={1: AESGCM(data_key)})))
    DataKey.objects.using(using).bulk_create([row for row, _entry in created])
    for row, entry in created:
        mark_changed(row.owner_id, entry)


def mark_changed(owner_id: uuid.UUID, entry: OwnerKeys | None = None) -> None:
    """Note that the owner's key rows changed in the current transaction."""
    cache = _scope.get()
    if cache is None:
        return
    cache.owners.pop(owner_id, None)
    using = _db_alias()
    if transaction.get_connection(using).in_atomic_block:
        pending = _Pending(cache, owner_id, using)
        cache.pending[owner_id] = pending
        transaction.on_commit(pending, using=using)
    if entry is not None:
        cache.owners[owner_id] = entry
