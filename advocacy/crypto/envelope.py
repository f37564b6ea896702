"""The binary envelope of one encrypted value.

Layout (version 1)::

    byte 0      format version (1)
    bytes 1-4   data-key generation, unsigned big-endian
    bytes 5-16  nonce, 96 random bits, fresh for every value
    bytes 17-   AES-256-GCM ciphertext followed by its 16-byte tag

The associated data is the 5-byte header followed by the model label, the column name and the
row's UUID, so a value copied to another row, column or table, or given another header, fails
its tag check.
"""

from __future__ import annotations

import os
import struct
import uuid
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .exceptions import DecryptionError

VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = struct.Struct(">BI")
HEADER_BYTES = _HEADER.size
MIN_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES


class Envelope(NamedTuple):
    version: int
    generation: int
    nonce: bytes
    ciphertext: bytes


def binding_prefix(model_label: str, column: str) -> bytes:
    """Return the start of binding() for one column; the row id completes it."""
    return model_label.encode() + b"\x00" + column.encode() + b"\x00"


def binding(model_label: str, column: str, row_id: uuid.UUID) -> bytes:
    """Return the part of the associated data naming where the value lives."""
    return binding_prefix(model_label, column) + row_id.bytes


def seal(aead: AESGCM, generation: int, plaintext: bytes, where: bytes) -> bytes:
    """Encrypt plaintext for the place named by where (see binding)."""
    header = _HEADER.pack(VERSION, generation)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + aead.encrypt(nonce, plaintext, header + where)


def generation_of(blob: bytes) -> int:
    """Return the data-key generation named in a stored value's header, checking its format."""
    if len(blob) < MIN_BYTES:
        raise DecryptionError("malformed", detail="value is too short to be an envelope")
    version: int
    generation: int
    version, generation = _HEADER.unpack_from(blob)
    if version != VERSION:
        raise DecryptionError("unknown_version", detail=f"envelope version {version}")
    return generation


def parse(blob: bytes) -> Envelope:
    """Split a stored value into its parts, refusing anything that is not an envelope."""
    generation = generation_of(blob)
    return Envelope(
        VERSION,
        generation,
        blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES],
        blob[HEADER_BYTES + NONCE_BYTES :],
    )


def unseal(aead: AESGCM, blob: bytes, where: bytes) -> bytes:
    """Decrypt a stored value, or raise DecryptionError if it was altered or moved.

    The caller has checked the header with generation_of() to choose the key.
    """
    try:
        return aead.decrypt(
            blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES],
            blob[HEADER_BYTES + NONCE_BYTES :],
            blob[:HEADER_BYTES] + where,
        )
    except InvalidTag:
        raise DecryptionError(
            "authentication_failed",
            detail="tag mismatch: the value was altered, or belongs to another row or column",
        ) from None
