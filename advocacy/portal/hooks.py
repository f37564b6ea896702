"""The point where a higher layer (the court's side) joins in on the professional's home.

``portal`` sits below ``court`` in the stack (docs/architecture.md) and may not import it.
Yet a guardian's home must list what is due to the court and when. That is one hook,
registered once, from ``advocacy.court.apps.CourtConfig.ready``; nothing else registers.

- ``home_section(fn)``: ``fn(*, user)`` returns a ``HomeSection`` (a template and its
  context) for the professional's home, or ``None`` when it has nothing for that user.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advocacy.accounts.models import User


@dataclasses.dataclass(frozen=True)
class HomeSection:
    """A part of the professional's home that a higher layer renders."""

    template: str
    context: dict[str, Any]


HomeSectionSource = Callable[..., HomeSection | None]

_sections: list[HomeSectionSource] = []


def home_section(fn: HomeSectionSource) -> HomeSectionSource:
    """Let fn(user=...) add a section to the professional's home (registered once)."""
    if fn not in _sections:
        _sections.append(fn)
    return fn


def home_sections(*, user: User) -> list[HomeSection]:
    """Return the sections the registered sources give for user's home."""
    found = (fn(user=user) for fn in _sections)
    return [section for section in found if section is not None]
