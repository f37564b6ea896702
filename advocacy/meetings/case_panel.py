"""The case page's list of the meetings that discussed the case (issue 17).

Registered on ``cases.hooks.case_page_panel`` from ``MeetingsConfig.ready``: cases sits below
meetings and cannot ask for them itself.
"""

from __future__ import annotations

import dataclasses

from advocacy.accounts.models import User
from advocacy.cases.hooks import CasePanel
from advocacy.cases.models import Case

from . import selectors
from .models import AgendaItem

# A case is on a few meetings a year; the list shows the latest ones and says how many more.
LIMIT = 20


@dataclasses.dataclass(frozen=True)
class MeetingLine:
    item: AgendaItem
    may_open: bool  # the viewer may open the meeting (staff of its organisation)


def case_meetings_panel(*, user: User, case: Case) -> CasePanel | None:
    """The meetings whose agenda holds case: kind, date, the decision recorded, a link.

    Reads only clear columns (kind, dates, the decision's outcome): the minutes' words stay
    on the meeting's page, where reading them is audited. None when the case was on no agenda.
    """
    items = selectors.case_agenda_items(case=case)
    shown = list(items[:LIMIT])
    if not shown:
        return None
    openable = set(
        selectors.meetings_for(user=user)
        .filter(pk__in=[item.meeting_id for item in shown])
        .values_list("pk", flat=True)
    )
    return CasePanel(
        template="meetings/_case_meetings.html",
        context={
            "lines": [MeetingLine(item, item.meeting_id in openable) for item in shown],
            "more": max(items.count() - LIMIT, 0) if len(shown) == LIMIT else 0,
        },
    )
