"""会議後の対応 — what a meeting (支援会議, 支援調整会議, 定例会) asked someone to do, by when.

One step, for the member of staff the meeting named, due on the day it set; completing it
says the action was done. What the action is stays in the meeting's encrypted minutes.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows import processes, routing, schedule
from workflows.base import CaseFlow
from workflows.nodes import named_task


class MeetingFollowUpFlow(CaseFlow):
    process_title = _("会議後の対応")
    process_description = _("会議で決めた対応を、決めた担当者が期限までに行う。")
    # Beside the case's stages, not one of them: a follow-up never moves the case.
    stage = None

    start = flow.StartHandle(processes.process_begin).Next(this.follow_up)
    follow_up = named_task(
        _("会議で決めた対応"), assign=routing.named_owner, due=schedule.due_named
    ).Next(this.end)
    end = flow.End()
