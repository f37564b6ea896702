"""Start the overdue-report task of a case (called by the court's sweep, a higher layer).

Sits above the flow (it names it). No actor: the system starts it when the report's date
is past by the set days; the task waits in the supervisors' queue.
"""

from __future__ import annotations

from django.db import transaction

from advocacy.cases.models import Case
from workflows.models import CaseProcess
from workflows.processes import running_process
from workflows.report_overdue.flows import ReportOverdueFlow


# Not durable: the court's sweep calls it inside its own claim's transaction.
@transaction.atomic
def report_overdue_start(*, case: Case) -> CaseProcess | None:
    """Give the case's supervisors a task for an overdue report, unless one is open."""
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if running_process(case=case, flow_class=ReportOverdueFlow):
        return None
    return ReportOverdueFlow.start.run(case=case, actor=None)
