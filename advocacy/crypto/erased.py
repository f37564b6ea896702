"""The value shown in place of data whose owner was crypto-shredded."""

from __future__ import annotations

from django.utils.translation import gettext


class _Erased:
    """Stands in for a value whose data key was destroyed; renders as （消去済み）."""

    __slots__ = ()
    _instance: _Erased | None = None

    def __new__(cls) -> _Erased:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self) -> str:
        return gettext("（消去済み）")

    def __repr__(self) -> str:
        return "ERASED"

    # Falsy so that `{% if value %}` and `if value:` never treat it as real data.
    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "ERASED"


ERASED = _Erased()
