"""報告遅延の確認 — a guardian's report to the family court is overdue (不正防止).

Late reports are the first sign that a guardianship goes wrong. When a report is overdue
by the set number of days (``advocacy.court``'s sweep), the supervisors of the case's
organisation get one task: look into it with the guardian (and the court, if need be) and
confirm. A late report is also counted towards the case's flag on the supervisor's list.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows import forms, processes, schedule
from workflows.base import CaseFlow
from workflows.nodes import supervisor_task


class ReportOverdueFlow(CaseFlow):
    process_title = _("報告遅延の確認")
    process_description = _("後見人等の家庭裁判所への報告が期限を過ぎたときの確認。")
    # Not a stage of the case: the case stays in guardian support meanwhile.
    stage = "report_overdue"

    start = flow.StartHandle(processes.process_begin).Next(this.look_into)
    look_into = supervisor_task(
        _("後見人等の報告遅延の確認"),
        form=forms.ConfirmForm,
        due=schedule.due_overdue_report,
    ).Next(this.end)
    end = flow.End()
