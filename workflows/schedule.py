"""When things fall due: the intervals, a task's due date, the timers' moments.

Defaults are in ``DEFAULTS``; override any of them in ``settings.WORKFLOWS``, e.g.
``WORKFLOWS = {"REVIEW_MONTHS": 12}``. The ``due_*`` functions are given to the nodes
(``activation -> date | None``).
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.utils import timezone

DEFAULTS = {
    "REMIND_DAYS_BEFORE": 3,
    "URGENT_REVIEW_DAYS": 0,
    "FEEDBACK_DAYS": 14,
    "FIRST_MEETING_DAYS": 30,
    "MONITORING_MONTHS": 3,
    "REVIEW_MONTHS": 6,
    "REVIEW_TASK_DAYS": 14,
    "HELP_REQUEST_DAYS": 7,
    # A case imported from a ledger that said too little: reviewed within this many days.
    "LEDGER_REVIEW_DAYS": 14,
    "FEE_SUBSIDY_MONTHS": 3,
    # A guardianship with a term (期間): asking the court to extend or end it takes the
    # guardian, the doctor and the team some months, so the notice comes early.
    "TERM_REMIND_DAYS": 90,
    # A guardian's report overdue (advocacy.court): the supervisor looks into it within a week.
    "OVERDUE_REPORT_TASK_DAYS": 7,
}


def setting(name: str) -> int:
    return getattr(settings, "WORKFLOWS", {}).get(name, DEFAULTS[name])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return day moved by months, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def today() -> datetime.date:
    """Return the local date (the day every due date counts from)."""
    return timezone.localdate()


def _at_nine(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


# Due dates of human tasks


def due_today(activation) -> datetime.date:
    return today() + datetime.timedelta(days=setting("URGENT_REVIEW_DAYS"))


def due_follow_up(activation) -> datetime.date | None:
    referral = activation.process.referral
    return referral.follow_up_due if referral else None


def due_feedback(activation) -> datetime.date:
    referral = activation.process.referral
    if referral and referral.feedback_due:
        return referral.feedback_due
    return today() + datetime.timedelta(days=setting("FEEDBACK_DAYS"))


def due_named(activation) -> datetime.date | None:
    """The day a process was started with (its data's due_on: a meeting's follow-up)."""
    # models.NAMED_DUE; schedule sits beside models, not above it.
    due = (activation.process.data or {}).get("due_on")
    return datetime.date.fromisoformat(due) if due else None


def due_milestone_feedback(activation) -> datetime.date:
    # Chosen when advocacy.outreach learnt of the milestone (that day + FEEDBACK_DAYS).
    return activation.process.next_due or today() + datetime.timedelta(
        days=setting("FEEDBACK_DAYS")
    )


def due_first_meeting(activation) -> datetime.date:
    return activation.process.next_due or today() + datetime.timedelta(
        days=setting("FIRST_MEETING_DAYS")
    )


def due_monitoring(activation) -> datetime.date:
    return add_months(today(), setting("MONITORING_MONTHS"))


def due_review(activation) -> datetime.date:
    return today() + datetime.timedelta(days=setting("REVIEW_TASK_DAYS"))


def due_ledger_review(activation) -> datetime.date:
    return today() + datetime.timedelta(days=setting("LEDGER_REVIEW_DAYS"))


def due_help(activation) -> datetime.date:
    return today() + datetime.timedelta(days=setting("HELP_REQUEST_DAYS"))


def due_overdue_report(activation) -> datetime.date:
    return today() + datetime.timedelta(days=setting("OVERDUE_REPORT_TASK_DAYS"))


def due_fee_subsidy(activation) -> datetime.date | None:
    return activation.process.next_due


# Moments of the timers


def review_at(activation) -> datetime.datetime:
    """Return when the next periodic review (支援の見直し) falls due."""
    return _at_nine(add_months(today(), setting("REVIEW_MONTHS")))
