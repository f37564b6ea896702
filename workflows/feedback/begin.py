"""The start of a feedback process: the case, the milestone and its due date."""

from __future__ import annotations

import datetime

from advocacy.accounts.models import User
from advocacy.cases.models import Case
from workflows.models import CaseProcess
from workflows.processes import process_begin


def feedback_begin(
    activation, *, case: Case, actor: User | None, milestone: str, due_on: datetime.date
) -> CaseProcess:
    """Tie a starting feedback process to case, with the milestone's code and due date."""
    process = process_begin(activation, case=case, actor=actor)
    process.route = milestone
    process.next_due = due_on
    return process
