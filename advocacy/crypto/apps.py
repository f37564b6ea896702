from __future__ import annotations

import sys
from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Commands that must run before a key file exists (they create it).
_KEYLESS_COMMANDS = {"crypto_keys"}


class CryptoConfig(AppConfig):
    name = "advocacy.crypto"
    label = "crypto"
    verbose_name = _("暗号化")

    def ready(self) -> None:
        from . import blind_index, registry, signals  # noqa: F401  (connect receivers)
        from .keyring import ensure_key_file

        if len(sys.argv) > 1 and sys.argv[1] in _KEYLESS_COMMANDS:
            return
        ensure_key_file(
            Path(settings.ADVOCACY_KEY_FILE),
            autocreate=getattr(settings, "ADVOCACY_KEY_FILE_AUTOCREATE", False),
        )
