"""台帳から移行したケースの確認 — a case imported from an Excel ledger that said too little.

A ledger row gives dates, not steps: a case in coordination could be at its assessment,
its conference, its matching or waiting for the ruling. Such a case comes in without a
process of its stage and with this one task for a supervisor of its organisation: look at
the case (complete its records from the paper file), then start the process of the stage
the case is in. Started by ``advocacy.ledger`` through ``processes.process_start``.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows import processes, schedule
from workflows.base import CaseFlow
from workflows.nodes import supervisor_task


class LedgerReviewFlow(CaseFlow):
    process_title = _("台帳から移行したケースの確認")
    process_description = _("台帳の情報だけでは進行中の手順が分からないケースの確認。")
    # Not a Case.Stage: no case is carried through it, so CaseFlow.of_stage never names it.
    stage = "ledger_review"

    start = flow.StartHandle(processes.process_begin).Next(this.review)
    review = supervisor_task(
        _("台帳から移行したケースの確認"), due=schedule.due_ledger_review
    ).Next(this.start_stage_flow)
    start_stage_flow = (
        flow.Function(processes.start_stage_flow)
        .Annotation(title=_("段階の手続きを開始"))
        .Next(this.end)
    )
    end = flow.End()
