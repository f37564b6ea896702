"""When the guardian's obligations fall due, and how long the system waits on them.

Defaults are in ``DEFAULTS``; override any of them in ``settings.COURT``, e.g.
``COURT = {"FIRST_REPORT_MONTHS": 1}``. The fee-subsidy interval is the workflows' own
(``FEE_SUBSIDY_MONTHS``): one interval, one place.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings

from workflows import schedule as workflow_schedule

DEFAULTS = {
    # The first report (財産目録・収支予定表): about a month after the appointment.
    "FIRST_REPORT_MONTHS": 1,
    # The first yearly report falls in the court's month at least this long after appointment.
    "FIRST_YEARLY_MIN_MONTHS": 6,
    # The fee petition (報酬付与) follows the yearly report it covers.
    "FEE_PETITION_DAYS": 30,
    # Court papers take the guardian time to gather: the first notice comes early.
    "REMIND_DAYS_BEFORE": 14,
    # A report this many days overdue gives the supervisor a task.
    "OVERDUE_TASK_DAYS": 14,
    # This many late reports flag the case (不正防止).
    "LATE_REPORTS_FLAG": 2,
}


def setting(name: str) -> int:
    return getattr(settings, "COURT", {}).get(name, DEFAULTS[name])


def today() -> datetime.date:
    return workflow_schedule.today()


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def first_report_due(appointed_on: datetime.date) -> datetime.date:
    return workflow_schedule.add_months(appointed_on, setting("FIRST_REPORT_MONTHS"))


def first_yearly_due(appointed_on: datetime.date, report_month: int) -> datetime.date:
    """Return the end of the first report month at least the set months after appointment."""
    earliest = workflow_schedule.add_months(appointed_on, setting("FIRST_YEARLY_MIN_MONTHS"))
    due = month_end(earliest.year, report_month)
    return due if due >= earliest else month_end(earliest.year + 1, report_month)


def next_yearly_due(due_on: datetime.date, report_month: int) -> datetime.date:
    return month_end(due_on.year + 1, report_month)


def fee_petition_due(report_submitted_on: datetime.date) -> datetime.date:
    return report_submitted_on + datetime.timedelta(days=setting("FEE_PETITION_DAYS"))


def subsidy_application_due(fee_ruled_on: datetime.date) -> datetime.date:
    return workflow_schedule.add_months(
        fee_ruled_on, workflow_schedule.setting("FEE_SUBSIDY_MONTHS")
    )
