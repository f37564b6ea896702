"""The point where a higher layer (stats) joins in on a meeting's page.

``meetings`` sits below ``stats`` in the stack and may not import it, yet the committee's
meeting shows the statistics release made for it. One hook, registered once, from
``advocacy.stats.apps.StatsConfig.ready``; nothing else registers.

- ``meeting_page_section(fn)``: ``fn(*, request, meeting)`` returns a ``MeetingSection`` (a
  template and its context) for the meeting page, or ``None`` when it has nothing for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest


@dataclasses.dataclass(frozen=True)
class MeetingSection:
    """A part of a meeting page that a higher layer renders: its template and context."""

    template: str
    context: dict[str, Any]


MeetingSectionSource = Callable[..., MeetingSection | None]

_sections: list[MeetingSectionSource] = []


def meeting_page_section(fn: MeetingSectionSource) -> MeetingSectionSource:
    """Let fn(request=..., meeting=...) add a section to meeting pages (registered once)."""
    if fn not in _sections:
        _sections.append(fn)
    return fn


def meeting_page_sections(*, request: HttpRequest, meeting: Any) -> list[MeetingSection]:
    """Return the sections the registered sources give for meeting's page."""
    found = (fn(request=request, meeting=meeting) for fn in _sections)
    return [section for section in found if section is not None]
