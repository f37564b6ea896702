"""The points where a higher layer joins in on what ``cases`` does.

``cases`` sits below ``workflows`` in the stack (docs/architecture.md) and may not import it.
Yet opening a case must start its consultation process, and the case page shows where the
case's processes stand. Each of these is one hook, registered once, from
``workflows.apps.WorkflowsConfig.ready``; nothing else registers here.

- ``on_case_opened(fn)``: ``fn(*, actor, case)`` runs inside ``case_intake``'s transaction, so
  a failure leaves neither the case nor its process behind.
- ``case_page_section(fn)``: ``fn(*, user, case)`` returns the context the case page shows
  under ``"workflows"``.
- ``case_page_panel(fn)``: ``fn(*, user, case)`` returns a ``CasePanel`` (a template and its
  context) the case page shows below the processes, or ``None``. Registered from
  ``advocacy.court.apps.CourtConfig.ready`` (the court's deadlines and flags),
  ``advocacy.outreach.apps.OutreachConfig.ready`` (feedback to the referrer) and
  ``advocacy.meetings.apps.MeetingsConfig.ready`` (the meetings that discussed the case) and
  ``advocacy.ledger.apps.LedgerConfig.ready`` (the person's record, 開示請求) only.
- ``on_case_changed(fn)``: ``fn(*, actor, case)`` runs inside the transaction of every
  service that may move a case past a milestone (intake, a record saved, closing, the
  feedback consent): feedback to the referrer follows the case's state from there, and a
  subsidy computation whose application was edited is voided. Registered from
  ``advocacy.outreach.apps.OutreachConfig.ready`` and ``advocacy.court.apps.CourtConfig.ready``
  only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model

    from advocacy.accounts.models import User
    from advocacy.cases.models import Case

CaseOpened = Callable[..., Any]
CaseSection = Callable[..., Any]


@dataclasses.dataclass(frozen=True)
class CasePanel:
    """A part of the case page that a higher layer renders: its template and context."""

    template: str
    context: dict[str, Any]


_case_opened: list[CaseOpened] = []
_case_panels: list[CaseSection] = []
_panel_models: dict[CaseSection, tuple[type[Model], ...]] = {}
_case_sections: list[CaseSection] = []
_case_changed: list[CaseOpened] = []


def on_case_opened(fn: CaseOpened) -> CaseOpened:
    """Run fn(actor=..., case=...) whenever a case is opened (registered once)."""
    if fn not in _case_opened:
        _case_opened.append(fn)
    return fn


def case_page_section(fn: CaseSection) -> CaseSection:
    """Let fn(user=..., case=...) give the case page its processes (registered once)."""
    if fn not in _case_sections:
        _case_sections.append(fn)
    return fn


def case_opened(*, actor: User, case: Case) -> None:
    """Tell the registered hooks that case was opened (called by ``case_intake`` only)."""
    for fn in _case_opened:
        fn(actor=actor, case=case)


def case_page_sections(*, user: User, case: Case) -> list[Any]:
    """Return what the registered sections give for the case page (the first one's value)."""
    for fn in _case_sections:
        return fn(user=user, case=case)
    return []


def on_case_changed(fn: CaseOpened) -> CaseOpened:
    """Run fn(actor=..., case=...) whenever a service may have moved case on (registered once)."""
    if fn not in _case_changed:
        _case_changed.append(fn)
    return fn


def case_changed(*, actor: User | None, case: Case) -> None:
    """Tell the registered hooks that case may have moved on (called by ``cases.services``)."""
    for fn in _case_changed:
        fn(actor=actor, case=case)


def case_page_panel(fn: CaseSection, *, shown_with: tuple[type[Model], ...] = ()) -> CaseSection:
    """Let fn(user=..., case=...) add a panel to the case page (registered once).

    shown_with: models with a ``case`` key of which the panel shows nothing unless the case
    holds a row. The case page asks all of them in one statement (``selectors.case_holds``)
    and calls fn only when one holds a row; fn may still return None. Name every model whose
    rows the panel needs to show anything, or none (fn is then always called).
    """
    if fn not in _case_panels:
        _case_panels.append(fn)
        _panel_models[fn] = tuple(shown_with)
    return fn


def case_page_panel_models() -> list[type[Model]]:
    """Return the models the registered panels are shown with (see ``case_page_panel``)."""
    return [model for fn in _case_panels for model in _panel_models[fn]]


def case_page_panels(*, user: User, case: Case, held: set[type[Model]]) -> list[CasePanel]:
    """Return the panels the registered sources give for the case page.

    held: what ``selectors.case_holds`` returned for at least ``case_page_panel_models()``;
    a panel none of whose models holds a row of the case is not asked.
    """
    found = (
        fn(user=user, case=case)
        for fn in _case_panels
        if not _panel_models[fn] or held.intersection(_panel_models[fn])
    )
    return [panel for panel in found if panel is not None]
