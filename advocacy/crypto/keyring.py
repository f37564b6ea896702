"""The key file: master keys, the blind-index root key and the audit key.

File format (JSON, mode 0600)::

    {
      "format": 1,
      "active_master_key": "m-20250101-1a2b3c4d",
      "master_keys": [{"id": "m-20250101-1a2b3c4d", "key": "<base64>", "created": "..."}],
      "blind_index_key": {"id": "b-...", "key": "<base64>", "created": "..."},
      "audit_key": {"id": "a-...", "key": "<base64>", "created": "..."}
    }

Every key is 32 random bytes. Key bytes never leave this module except to the code that uses
them; reprs and error messages name key ids only.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from .exceptions import KeyFileError

KEY_BYTES = 32
FORMAT = 1


@dataclass(frozen=True)
class NamedKey:
    """One key and the id that is stored wherever it was used."""

    id: str
    key: bytes = field(repr=False)
    created: str = ""

    def __repr__(self) -> str:
        return f"NamedKey(id={self.id!r})"


@dataclass(frozen=True)
class Keyring:
    """All keys of the key file; the active master key encrypts, all master keys decrypt."""

    path: Path
    master_keys: dict[str, NamedKey] = field(repr=False)
    active_master_id: str
    blind_index_key: NamedKey = field(repr=False)
    audit_key: NamedKey = field(repr=False)

    def __repr__(self) -> str:
        ids = ", ".join(self.master_keys)
        return (
            f"Keyring(path={str(self.path)!r}, active={self.active_master_id!r}, masters=[{ids}])"
        )

    @property
    def active_master(self) -> NamedKey:
        return self.master_keys[self.active_master_id]

    def master(self, key_id: str) -> NamedKey | None:
        return self.master_keys.get(key_id)


def new_key_id(prefix: str) -> str:
    """Return a fresh id such as m-20250101-1a2b3c4d: sortable by day, unique by chance."""
    return f"{prefix}-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"


def _new_key(prefix: str) -> dict[str, str]:
    return {
        "id": new_key_id(prefix),
        "key": base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii"),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def check_key_file_mode(path: Path) -> None:
    """Refuse a key file that group or others may read or write."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyFileError(f"Key file {path} does not exist.") from None
    if os.name == "posix" and mode & 0o077:
        raise KeyFileError(
            f"Key file {path} is accessible by group or others (mode {stat.S_IMODE(mode):04o}); "
            f"only its owner may read it. Run: chmod 600 {path}"
        )


def _decode_key(entry: object, path: Path, what: str) -> NamedKey:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        raise KeyFileError(f"Key file {path}: {what} needs an 'id' and a 'key'.")
    try:
        raw = base64.b64decode(entry.get("key", ""), validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise KeyFileError(f"Key file {path}: key {entry['id']!r} is not valid base64.") from None
    if len(raw) != KEY_BYTES:
        raise KeyFileError(
            f"Key file {path}: key {entry['id']!r} must be {KEY_BYTES * 8} bits, "
            f"got {len(raw) * 8}."
        )
    return NamedKey(id=entry["id"], key=raw, created=str(entry.get("created", "")))


def _read_json(path: Path) -> dict[str, Any]:
    check_key_file_mode(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        # The exception text of a JSON error can quote the file; keep only its kind.
        raise KeyFileError(f"Key file {path} cannot be read ({type(exc).__name__}).") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise KeyFileError(f"Key file {path} is not a format {FORMAT} key file.")
    return data


def parse_keyring(path: Path, data: dict[str, Any]) -> Keyring:
    """Build a Keyring from the decoded JSON of a key file."""
    masters: dict[str, NamedKey] = {}
    for entry in data.get("master_keys") or []:
        key = _decode_key(entry, path, "a master key")
        if key.id in masters:
            raise KeyFileError(f"Key file {path}: master key id {key.id!r} appears twice.")
        masters[key.id] = key
    active = data.get("active_master_key")
    if not masters or active not in masters:
        raise KeyFileError(
            f"Key file {path}: 'active_master_key' must name one of its master keys."
        )
    return Keyring(
        path=path,
        master_keys=masters,
        active_master_id=active,
        blind_index_key=_decode_key(data.get("blind_index_key"), path, "'blind_index_key'"),
        audit_key=_decode_key(data.get("audit_key"), path, "'audit_key'"),
    )


def load_keyring(path: Path) -> Keyring:
    """Read and check the key file at path."""
    return parse_keyring(path, _read_json(path))


def _write_private(path: Path, data: dict[str, Any], *, replace: bool) -> None:
    """Write data as JSON readable only by its owner; never leave a half-written key file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            # link() fails if the file exists, so two processes creating at once cannot
            # overwrite each other's keys.
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def create_key_file(path: Path) -> Keyring:
    """Create a new key file with one master key; refuse to overwrite an existing one."""
    master = _new_key("m")
    data = {
        "format": FORMAT,
        "active_master_key": master["id"],
        "master_keys": [master],
        "blind_index_key": _new_key("b"),
        "audit_key": _new_key("a"),
    }
    try:
        _write_private(path, data, replace=False)
    except FileExistsError:
        raise KeyFileError(f"Key file {path} already exists; it was not changed.") from None
    return parse_keyring(path, data)


def add_master_key(path: Path) -> str:
    """Add a new master key to the key file, make it the active one, and return its id."""
    data = _read_json(path)
    parse_keyring(path, data)
    master = _new_key("m")
    data["master_keys"].append(master)
    data["active_master_key"] = master["id"]
    _write_private(path, data, replace=True)
    reset_keyring()
    return master["id"]


def remove_master_key(path: Path, key_id: str) -> None:
    """Remove a retired master key from the key file; the active key cannot be removed."""
    data = _read_json(path)
    keyring = parse_keyring(path, data)
    if key_id == keyring.active_master_id:
        raise KeyFileError(f"Master key {key_id!r} is the active key and cannot be removed.")
    if key_id not in keyring.master_keys:
        raise KeyFileError(f"Key file {path} holds no master key {key_id!r}.")
    data["master_keys"] = [m for m in data["master_keys"] if m.get("id") != key_id]
    _write_private(path, data, replace=True)
    reset_keyring()


def ensure_key_file(path: Path, *, autocreate: bool) -> None:
    """Check the key file exists with a safe mode; create it first when autocreate is on."""
    if not path.exists():
        if not autocreate:
            raise KeyFileError(
                f"Key file {path} does not exist. Create it with "
                "'manage.py crypto_keys init' (and back it up apart from the database), "
                "or point ADVOCACY_KEY_FILE at the existing one."
            )
        try:
            create_key_file(path)
        except KeyFileError:
            pass  # another process created it first
    check_key_file_mode(path)


_lock = threading.Lock()
_cached: Keyring | None = None
_reset_listeners: list[Callable[[], None]] = []


def key_file_path() -> Path:
    return Path(settings.ADVOCACY_KEY_FILE)


def get_keyring() -> Keyring:
    """Return the keyring of settings.ADVOCACY_KEY_FILE, loading it on first use."""
    global _cached
    keyring = _cached
    if keyring is not None:
        return keyring
    with _lock:
        if _cached is None:
            _cached = load_keyring(key_file_path())
        return _cached


def reload_keyring_if_changed() -> bool:
    """Reload the key file if it differs from the cached one; True when something changed."""
    global _cached
    with _lock:
        old = _cached
        new = load_keyring(key_file_path())
        if old is not None and new.master_keys.keys() == old.master_keys.keys():
            if new.active_master_id == old.active_master_id:
                return False
        _cached = new
    for listener in _reset_listeners:
        listener()
    return True


def reset_keyring() -> None:
    """Forget the cached keyring and everything derived from it."""
    global _cached
    with _lock:
        _cached = None
    for listener in _reset_listeners:
        listener()


def on_reset(listener: Callable[[], None]) -> None:
    """Call listener whenever the keyring is reset (caches of derived keys register here)."""
    _reset_listeners.append(listener)
