"""The points where a higher layer joins in on what ``workflows`` does.

``workflows`` sits below ``portal`` in the stack (docs/architecture.md) and may not import it.
Yet the appointment-coordination step is done in the portal: its page must show the
shortlist, the form that sends a request and the history of requests. That is one hook,
registered once, from ``advocacy.portal.apps.PortalConfig.ready``; the court's checklist of
papers on the petition step joins the same way (``advocacy.court.apps.CourtConfig.ready``),
as does outreach's feedback step.

- ``task_page_section(fn)``: ``fn(*, request, activation)`` returns a ``TaskSection`` (a
  template and its context) for the task page, or ``None`` when it has nothing for that step.
- ``reminder_sweep(fn)``: ``fn(*, today)`` sends a higher layer's own reminders (the court's
  reporting deadlines) when the reminder command runs, and returns how many it sent.
  Registered from ``advocacy.court.apps.CourtConfig.ready`` only.
"""

from __future__ import annotations

import dataclasses
import datetime
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


ReminderSweep = Callable[..., int]

_sweeps: list[ReminderSweep] = []


def reminder_sweep(fn: ReminderSweep) -> ReminderSweep:
    """Let fn(today=...) send its reminders whenever the reminder command runs (registered once)."""
    if fn not in _sweeps:
        _sweeps.append(fn)
    return fn


def reminder_sweeps_run(*, today: datetime.date | None = None) -> int:
    """Run every registered sweep; return the reminders they sent together."""
    return sum(fn(today=today) for fn in _sweeps)
