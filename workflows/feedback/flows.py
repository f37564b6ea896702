"""相談者への経過報告 — feedback to the referrer at a milestone of the case.

A care manager, a hospital or a 民生委員 who referred the person asks
"その後の経過はどうなったの？".
With the person's consent, each milestone that matters to the referrer (taken on, policy
decided, petition filed, ruling, support ended) gives the case's worker one task with a due
date. The task is done when the feedback is recorded (what was told and how), on the
feedback screen of ``advocacy.outreach``, which completes it; a withdrawn consent cancels it.
The milestone's code is the process's ``route``; its due date the process's ``next_due``.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows import schedule
from workflows.base import CaseFlow
from workflows.nodes import caseworker_task

from . import begin


class FeedbackFlow(CaseFlow):
    process_title = _("相談者への経過報告")
    process_description = _("節目ごとに、紹介元の相談者へ経過を報告する。")
    stage = ""

    start = flow.StartHandle(begin.feedback_begin).Next(this.tell)
    tell = caseworker_task(
        _("相談者への経過報告"),
        due=schedule.due_milestone_feedback,
        completed_by=_(
            "報告した内容と方法を「相談者への経過報告」の画面で記録すると、この手順は完了します。"
        ),
    ).Next(this.end)
    end = flow.End()
