"""Signals of the crypto app, and its reaction to settings changed by tests."""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.dispatch import Signal, receiver

# Sent before DecryptionError is raised, with model_label, field_name, row_id and reason.
# The audit app records these; no key or plaintext is ever passed.
decryption_failed = Signal()

# Sent inside the transaction that changed keys: kind="master" after a batch of data keys
# was re-wrapped under the active master key (with master_key_id and count), kind="data_key"
# after a person's values were re-encrypted under a new data key (with owner_id and
# generation). The audit app records these; never a key.
keys_rotated = Signal()

_KEY_SETTINGS = {"ADVOCACY_KEY_FILE", "ADVOCACY_KEY_FILE_AUTOCREATE", "ADVOCACY_BLIND_INDEX_BITS"}


@receiver(setting_changed)
def _reload_keys(*, setting: str, **kwargs: Any) -> None:
    if setting in _KEY_SETTINGS:
        from .keycache import clear_current
        from .keyring import reset_keyring

        reset_keyring()
        clear_current()
