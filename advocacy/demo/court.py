"""Invented demo data of the court's side: this and last fiscal year's subsidy rules, and
reporting deadlines on the demo's appointed cases (one of them the demo lawyer's, so
``lawyer1`` sees what is due on the portal's home, and one overdue report flagged).

Runs inside ``demo_load``'s transaction, so it writes the rows as a history of the
court's services would have left them; running it twice changes nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from advocacy.access import services as access
from advocacy.accounts.models import User
from advocacy.cases.models import Case, GuardianAppointment
from advocacy.court import schedule
from advocacy.court.models import Flag, Obligation, ReportingPlan, SubsidyRule
from advocacy.dates import fiscal_year_of

GRANT_REASON = "デモ: 受任した後見人"


def demo_court_load() -> int:
    """Create the demo rules and deadlines unless they exist; return the plans created."""
    today = timezone.localdate()
    year = fiscal_year_of(today)
    for fiscal_year, home, facility in ((year - 1, 28_000, 18_000), (year, 28_000, 18_000)):
        SubsidyRule.objects.get_or_create(
            fiscal_year=fiscal_year,
            defaults={
                "asset_ceiling_yen": 1_000_000,
                "monthly_cap_home_yen": home,
                "monthly_cap_facility_yen": facility,
            },
        )
    if ReportingPlan.objects.exists():
        return 0
    appointments = list(
        GuardianAppointment.objects.filter(
            role=GuardianAppointment.Role.GUARDIAN, ended_on__isnull=True
        )
        .select_related("case")
        .filter(case__closed_on__isnull=True)
        .order_by("appointed_on", "pk")[:6]
    )
    lawyer = User.objects.filter(username="lawyer1").first()
    for index, appointment in enumerate(appointments):
        case = appointment.case
        if index == 0 and lawyer is not None:
            _appoint(lawyer, appointment, case)
        month = (appointment.appointed_on.month + index) % 12 + 1
        ReportingPlan.objects.create(case=case, appointment=appointment, report_month=month)
        first = Obligation.objects.create(
            case=case,
            kind=Obligation.Kind.FIRST_REPORT,
            due_on=schedule.first_report_due(appointment.appointed_on),
        )
        if first.due_on < today and index % 3 != 2:
            first.submitted_on = min(first.due_on + datetime.timedelta(days=index * 5), today)
            first.save(update_fields=["submitted_on"])
        Obligation.objects.create(
            case=case,
            kind=Obligation.Kind.YEARLY_REPORT,
            due_on=schedule.first_yearly_due(appointment.appointed_on, month),
        )
        if index == 2:
            Flag.objects.create(
                case=case,
                person_id=case.person_id,
                reason=Flag.Reason.LATE_REPORTS,
                raised_on=today,
            )
    return len(appointments)


def _appoint(lawyer: User, appointment: GuardianAppointment, case: Case) -> None:
    """Make the demo lawyer this case's guardian, with the guardian's view of the case."""
    GuardianAppointment.objects.filter(pk=appointment.pk).update(
        professional=lawyer.professional, profession=GuardianAppointment.Profession.LAWYER
    )
    access.grant(
        actor=None,
        case=case,
        user=lawyer,
        permissions=access.GUARDIAN_PERMISSIONS,
        reason=GRANT_REASON,
        check_actor=False,
    )
