"""Start a meeting's follow-up: a task for its owner, due on the day the meeting set.

Sits above the flow (it names it); ``advocacy.meetings.services.follow_up_add`` calls it.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from advocacy.accounts.models import User
from advocacy.cases.models import Case
from workflows.meeting_follow_up.flows import MeetingFollowUpFlow
from workflows.models import NAMED_DUE, NAMED_OWNER, CaseProcess


# Not durable: the meeting's follow-up is saved in the same transaction.
@transaction.atomic
def follow_up_start(*, actor: User, case: Case, owner: User, due_on: datetime.date) -> CaseProcess:
    """Start a follow-up process on case whose one task is owner's, due on due_on.

    Several may run on one case at once (one per action); ids and a date only go into the
    process's data, never the action's words.
    """
    return MeetingFollowUpFlow.start.run(
        case=case,
        actor=actor,
        lead_organisation=owner.organisation,
        data={NAMED_OWNER: owner.pk, NAMED_DUE: due_on.isoformat()},
    )
