"""Creating, wrapping, unwrapping and destroying per-owner data keys."""

from __future__ import annotations

import os
import struct
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db.models import QuerySet
from django.utils import timezone

from .envelope import NONCE_BYTES
from .exceptions import DecryptionError, UnknownMasterKeyError
from .keyring import Keyring, NamedKey, get_keyring, on_reset, reload_keyring_if_changed
from .models import DataKey

DATA_KEY_BYTES = 32


def _wrap_binding(owner_id: uuid.UUID, generation: int, master_key_id: str) -> bytes:
    return (
        b"advocacy.datakey.v1\x00"
        + owner_id.bytes
        + struct.pack(">I", generation)
        + (master_key_id.encode())
    )


def wrap(
    data_key: bytes, *, owner_id: uuid.UUID, generation: int, keyring: Keyring
) -> tuple[str, bytes]:
    """Wrap data_key under the active master key; return (master key id, wrapped bytes)."""
    master = keyring.active_master
    nonce = os.urandom(NONCE_BYTES)
    sealed = _master_aead(master).encrypt(
        nonce, data_key, _wrap_binding(owner_id, generation, master.id)
    )
    return master.id, nonce + sealed


_master_aeads: dict[tuple[str, bytes], AESGCM] = {}
on_reset(_master_aeads.clear)


def _master_aead(master: NamedKey) -> AESGCM:
    # Building an AESGCM costs more than one unwrap; a page unwraps dozens of keys.
    aead = _master_aeads.get((master.id, master.key))
    if aead is None:
        aead = _master_aeads[(master.id, master.key)] = AESGCM(master.key)
    return aead


def _master_for(key_id: str, keyring: Keyring) -> NamedKey:
    master = keyring.master(key_id)
    if master is None and reload_keyring_if_changed():
        # Another process may have added the key since this one loaded the file.
        keyring = get_keyring()
        master = keyring.master(key_id)
    if master is None:
        raise UnknownMasterKeyError(
            "unknown_master_key",
            detail=f"master key {key_id!r} is not in the key file {keyring.path}; "
            "restore the key file from its backup",
        )
    return master


def unwrap(row: DataKey, keyring: Keyring | None = None) -> bytes:
    """Return the plain data key of a live DataKey row."""
    return unwrap_parts(
        row.owner_id, row.generation, row.master_key_id, bytes(row.wrapped), keyring
    )


def unwrap_parts(
    owner_id: uuid.UUID,
    generation: int,
    master_key_id: str,
    wrapped: bytes,
    keyring: Keyring | None = None,
) -> bytes:
    """Return the plain data key from the columns of a live DataKey row."""
    keyring = keyring or get_keyring()
    master = _master_for(master_key_id, keyring)
    try:
        return _master_aead(master).decrypt(
            wrapped[:NONCE_BYTES],
            wrapped[NONCE_BYTES:],
            _wrap_binding(owner_id, generation, master_key_id),
        )
    except (InvalidTag, ValueError):
        raise DecryptionError(
            "unwrap_failed",
            detail=f"data key generation {generation} did not unwrap under "
            f"master key {master_key_id!r}",
        ) from None


def new_data_key_row(owner_id: uuid.UUID, generation: int) -> tuple[DataKey, bytes]:
    """Make (unsaved) a DataKey row for a fresh random data key; return it and the plain key."""
    data_key = AESGCM.generate_key(bit_length=DATA_KEY_BYTES * 8)
    master_id, wrapped = wrap(
        data_key, owner_id=owner_id, generation=generation, keyring=get_keyring()
    )
    row = DataKey(
        owner_id=owner_id, generation=generation, master_key_id=master_id, wrapped=wrapped
    )
    return row, data_key


def rewrap(row: DataKey, keyring: Keyring) -> None:
    """Re-wrap a live row under the active master key (in memory; the caller saves)."""
    data_key = unwrap(row, keyring)
    row.master_key_id, row.wrapped = wrap(
        data_key, owner_id=row.owner_id, generation=row.generation, keyring=keyring
    )


def destroy_rows(queryset: QuerySet[DataKey]) -> int:
    """Destroy the data keys of queryset, keeping tombstones; return how many were live."""
    return queryset.filter(destroyed_at__isnull=True).update(
        wrapped=b"", destroyed_at=timezone.now()
    )
