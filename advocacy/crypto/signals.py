"""Signals of the crypto app, and its reaction to settings changed by tests."""

from __future__ import annotations

from django.core.signals import setting_changed
from django.dispatch import Signal, receiver

# Sent before DecryptionError is raised, with model_label, field_name, row_id and reason.
# The audit app records these; no key or plaintext is ever passed.
decryption_failed = Signal()

_KEY_SETTINGS = {"ADVOCACY_KEY_FILE", "ADVOCACY_KEY_FILE_AUTOCREATE", "ADVOCACY_BLIND_INDEX_BITS"}


@receiver(setting_changed)
def _reload_keys(*, setting: str, **kwargs) -> None:
    if setting in _KEY_SETTINGS:
        from .keycache import clear_current
        from .keyring import reset_keyring

        reset_keyring()
        clear_current()
