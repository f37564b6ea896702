"""E-mail reminders of open tasks: once when a task falls due soon, once more when overdue;
and once before a guardianship's term (期間) is reviewed or ends.

E-mails carry the case number, task title (or the term's kind) and date only: they leave
the system.
"""

from __future__ import annotations

import datetime
import logging

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import STATUS

from advocacy.accounts.models import User
from advocacy.accounts.roles import Role
from advocacy.cases.models import Petition

from . import schedule
from .models import CaseTask

logger = logging.getLogger(__name__)


def _recipients(row: CaseTask) -> list[str]:
    task = row.task
    # A deactivated account receives nothing: its task is the queue's (as in the inbox).
    if task.owner is not None and task.owner.is_active:
        users = [task.owner]
    else:
        role = row.role or None
        staff = User.objects.filter(is_active=True, organisation_id=row.organisation_id)
        worker = row.case.assigned_worker
        if role:
            users = list(staff.filter(groups__name=role)[:50])
        elif worker and worker.is_active and worker.organisation_id == row.organisation_id:
            users = [worker]
        else:
            users = list(staff.filter(groups__name=Role.SUPERVISOR.value)[:50])
    return sorted({user.email for user in users if user.email})


def _reminder_text(row: CaseTask, overdue: bool) -> tuple[str, str]:
    # Case number and task title only: reminders leave the system by e-mail.
    title = str(row.task.flow_task.task_title)
    head = _("期限超過") if overdue else _("期限間近")
    subject = f"[{head}] {row.case.number} {title}"
    body = "\n".join(
        [
            f"{_('ケース番号')}: {row.case.number}",
            f"{_('タスク')}: {title}",
            f"{_('期限')}: {row.due_on.isoformat() if row.due_on else '—'}",
            "",
            str(_("受信箱でタスクを確認してください。")),
        ]
    )
    return subject, body


def reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail a reminder for each open task due soon, and again once it is overdue.

    Each reminder is claimed by a conditional update before it is sent, so a second run (or
    a second copy of the command) sends nothing twice.
    """
    today = today or schedule.today()
    soon = today + datetime.timedelta(days=schedule.setting("REMIND_DAYS_BEFORE"))
    rows = (
        CaseTask.objects.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED])
        .filter(
            Q(due_on__lte=soon, reminded_on__isnull=True)
            | Q(due_on__lt=today, overdue_reminded_on__isnull=True)
        )
        .select_related("task__owner", "case__assigned_worker")
        .order_by("due_on", "pk")
    )
    sent = 0
    for row in rows.iterator(chunk_size=500):
        if row.due_on is None:  # the filter above requires a due date
            continue
        overdue = row.due_on < today and row.overdue_reminded_on is None
        field = "overdue_reminded_on" if overdue else "reminded_on"
        updates = {field: today}
        if overdue:
            # No "due soon" notice after the overdue one.
            updates["reminded_on"] = row.reminded_on or today
        # Each claim commits on its own (durable, outside the try: a caller's transaction
        # fails loudly); a failed mail rolls back its claim and is tried next run.
        with transaction.atomic(durable=True):
            try:
                with transaction.atomic():
                    claimed = CaseTask.objects.filter(
                        pk=row.pk, **{f"{field}__isnull": True}
                    ).update(**updates)
                    if not claimed:
                        continue
                    recipients = _recipients(row)
                    if recipients:
                        subject, body = _reminder_text(row, overdue)
                        send_mail(subject, body, None, recipients)
                        sent += 1
            except Exception:  # one failed mail must not stop the sweep
                logger.exception("Reminder for task %s failed", row.pk)
    return sent


def _term_recipients(petition: Petition) -> list[str]:
    case = petition.case
    worker = case.assigned_worker
    if worker and worker.is_active and worker.organisation_id == case.organisation_id:
        users = [worker]
    else:
        users = list(
            User.objects.filter(
                is_active=True,
                organisation_id=case.organisation_id,
                groups__name=Role.SUPERVISOR.value,
            )[:50]
        )
    return sorted({user.email for user in users if user.email})


def term_reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail once for each guardianship whose review or end date (期間) is near.

    Open cases only; claimed by a conditional update before sending, as the task reminders.
    """
    today = today or schedule.today()
    soon = today + datetime.timedelta(days=schedule.setting("TERM_REMIND_DAYS"))
    rows = (
        Petition.objects.filter(
            term_until__isnull=False,
            # A term already past and never announced (entered late) is announced too.
            term_until__lte=soon,
            term_reminded_on__isnull=True,
            case__closed_on__isnull=True,
        )
        .select_related("case__assigned_worker")
        .order_by("term_until", "pk")
    )
    sent = 0
    for petition in rows.iterator(chunk_size=500):
        with transaction.atomic(durable=True):
            try:
                with transaction.atomic():
                    claimed = Petition.objects.filter(
                        pk=petition.pk, term_reminded_on__isnull=True
                    ).update(term_reminded_on=today)
                    if not claimed:
                        continue
                    recipients = _term_recipients(petition)
                    if recipients:
                        kind = petition.get_term_kind_display()
                        subject = f"[{_('期間')}] {petition.case.number} {kind}"
                        body = "\n".join(
                            [
                                f"{_('ケース番号')}: {petition.case.number}",
                                f"{_('後見等の期間')}: {kind}",
                                f"{_('日付')}: {petition.term_until}",
                                "",
                                str(_("家庭裁判所への手続の要否をケースで確認してください。")),
                            ]
                        )
                        send_mail(subject, body, None, recipients)
                        sent += 1
            except Exception:  # one failed mail must not stop the sweep
                logger.exception("Term reminder for petition %s failed", petition.pk)
    return sent
