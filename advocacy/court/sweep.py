"""The daily sweep of the court's side, run by the reminder command (``workflows.hooks``).

E-mails carry the case number, the obligation's kind and its date only: they leave the
system. Each notice is claimed by a conditional update before it is sent, so a second run
sends nothing twice.
"""

from __future__ import annotations

import datetime
import logging

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from advocacy.accounts.models import User
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases.models import Case, Contact
from advocacy.portal.selectors import guardian_cases_for
from workflows.report_overdue.start import report_overdue_start

from . import schedule, services
from .models import Flag, Obligation

logger = logging.getLogger(__name__)


def _supervisors(case: Case) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, organisation_id=case.organisation_id, groups__name=Role.SUPERVISOR
        )[:50]
    )


def _caseworkers(case: Case) -> list[User]:
    worker = case.assigned_worker
    if worker and worker.is_active and worker.organisation_id == case.organisation_id:
        return [worker]
    return _supervisors(case)


def _guardians(case: Case) -> list[User]:
    """The active guardians with an account who hold the guardian's view of the case."""
    users = User.objects.filter(
        is_active=True,
        professional__appointments__case=case,
        professional__appointments__ended_on__isnull=True,
    ).distinct()
    return [user for user in users if guardian_cases_for(user=user).filter(pk=case.pk).exists()]


def _mail(obligation: Obligation, users: list[User], head: str) -> bool:
    recipients = sorted({user.email for user in users if user.email})
    if not recipients:
        return False
    kind = obligation.get_kind_display()
    subject = f"[{head}] {obligation.case.number} {kind}"
    body = "\n".join(
        [
            f"{_('ケース番号')}: {obligation.case.number}",
            f"{_('提出するもの')}: {kind}",
            f"{_('期限')}: {obligation.due_on.isoformat()}",
            "",
            _("提出したら、その日付をシステムに記録してください。"),
        ]
    )
    send_mail(subject, body, None, recipients)
    return True


def _claim(obligation: Obligation, field: str, today: datetime.date) -> bool:
    return bool(
        Obligation.objects.filter(
            pk=obligation.pk, submitted_on__isnull=True, **{f"{field}__isnull": True}
        ).update(**{field: today})
    )


def _once(obligation: Obligation, field: str, today: datetime.date, send) -> int:
    # Each claim commits on its own; a failed mail rolls back its claim and is tried next run.
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                if not _claim(obligation, field, today):
                    return 0
                return int(bool(send()))
        except Exception:  # one failed mail must not stop the sweep
            logger.exception("Court notice for obligation %s failed", obligation.pk)
            return 0


def _open(today: datetime.date):
    return Obligation.objects.filter(
        submitted_on__isnull=True, case__closed_on__isnull=True
    ).select_related("case__assigned_worker")


def court_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind before and after each open obligation's date; escalate long-overdue reports."""
    today = today or schedule.today()
    soon = today + datetime.timedelta(days=schedule.setting("REMIND_DAYS_BEFORE"))
    sent = 0
    rows = _open(today).filter(
        Q(due_on__lte=soon, reminded_on__isnull=True)
        | Q(due_on__lt=today, overdue_reminded_on__isnull=True)
    )
    for obligation in rows.order_by("due_on", "pk").iterator(chunk_size=500):
        case = obligation.case
        people = _guardians(case) + _caseworkers(case)
        if obligation.due_on < today and obligation.overdue_reminded_on is None:
            # No "due soon" notice after the overdue one.
            Obligation.objects.filter(pk=obligation.pk, reminded_on__isnull=True).update(
                reminded_on=today
            )
            sent += _once(
                obligation,
                "overdue_reminded_on",
                today,
                lambda o=obligation, p=people: _mail(o, p, _("期限超過")),
            )
        elif obligation.reminded_on is None:
            sent += _once(
                obligation,
                "reminded_on",
                today,
                lambda o=obligation, p=people: _mail(o, p, _("期限間近")),
            )
    sent += reports_escalate(today=today)
    flags_from_complaints(today=today)
    return sent


def reports_escalate(*, today: datetime.date) -> int:
    """Give the supervisors a task (and a mail) for each report overdue by the set days,
    once; count it towards the late-reports flag."""
    limit = today - datetime.timedelta(days=schedule.setting("OVERDUE_TASK_DAYS"))
    rows = _open(today).filter(
        kind__in=[Obligation.Kind.FIRST_REPORT, Obligation.Kind.YEARLY_REPORT],
        due_on__lt=limit,
        escalated_on__isnull=True,
    )
    sent = 0
    for obligation in rows.order_by("due_on", "pk").iterator(chunk_size=500):
        case = obligation.case

        def escalate(o=obligation, c=case) -> bool:
            audit_record(
                actor=None,
                action=Action.COURT_REPORT_ESCALATED,
                obj=c,
                label=f"{c.number} {o.kind}",
            )
            services.late_reports_check(case=c, on=today)
            report_overdue_start(case=c)
            return _mail(o, _supervisors(c), _("報告の遅れ"))

        sent += _once(obligation, "escalated_on", today, escalate)
    return sent


def flags_from_complaints(*, today: datetime.date) -> int:
    """Flag each relative's complaint in a contact of an open case, once per contact."""
    raised = 0
    contacts = (
        Contact.objects.filter(
            is_complaint=True,
            contact_from=Contact.From.RELATIVE,
            case__closed_on__isnull=True,
        )
        .exclude(
            pk__in=Flag.objects.filter(reason=Flag.Reason.RELATIVE_COMPLAINT).values("source_id")
        )
        .select_related("case")
    )
    for contact in contacts.iterator(chunk_size=500):
        with transaction.atomic(durable=True):
            if services.complaint_flag_raise(
                case=contact.case, contact_id=contact.pk, on=contact.contacted_on
            ):
                raised += 1
    return raised
