"""Static files for production: whitenoise's compressed, hashed names (the manifest)."""

from __future__ import annotations

from collections.abc import Callable
from re import Match
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; tolerant only of vendored copies no page uses.

    viewflow ships an unused copy of the Roboto stylesheet under node_modules/ whose font
    references point to files it does not ship; collectstatic would stop at them. Those
    references are left as they are; every other missing reference still stops it.
    """

    def url_converter(
        self, name: str, hashed_files: dict[str, Any], template: str | None = None
    ) -> Callable[[Match[str]], str]:
        convert = super().url_converter(name, hashed_files, template)
        if "/node_modules/" not in name:
            return convert

        def tolerant(matchobj: Match[str]) -> str:
            try:
                return convert(matchobj)
            except ValueError:
                return matchobj.group(0)

        return tolerant
