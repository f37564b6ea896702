"""The point where a higher layer (the portal) joins in on a task page.

``workflows`` sits below ``portal`` in the stack (docs/architecture.md) and may not import it.
Yet the appointment-coordination step is done in the portal: its page must show the
shortlist, the form that sends a request and the history of requests. That is one hook,
registered once, from ``advocacy.portal.apps.PortalConfig.ready``; nothing else registers.

- ``task_page_section(fn)``: ``fn(*, request, activation)`` returns a ``TaskSection`` (a
  template and its context) for the task page, or ``None`` when it has nothing for that step.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest


@dataclasses.dataclass(frozen=True)
class TaskSection:
    """A part of a task page that a higher layer renders: its template and context."""

    template: str
    context: dict[str, Any]


TaskSectionSource = Callable[..., TaskSection | None]

_sections: list[TaskSectionSource] = []


def task_page_section(fn: TaskSectionSource) -> TaskSectionSource:
    """Let fn(request=..., activation=...) add a section to task pages (registered once)."""
    if fn not in _sections:
        _sections.append(fn)
    return fn


def task_page_sections(*, request: HttpRequest, activation: Any) -> list[TaskSection]:
    """Return the sections the registered sources give for activation's task page."""
    found = (fn(request=request, activation=activation) for fn in _sections)
    return [section for section in found if section is not None]
