"""A process tied to one case, and the routing and due date of each human task.

No personal data here: processes and tasks carry ids, codes and dates only. What a step
records about the person goes into the case's own (encrypted) records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

if TYPE_CHECKING:
    import datetime

    from advocacy.accounts.models import Organisation
    from advocacy.cases.models import Assessment, Case, Petition, Referral


# A process started for one named worker and day (a meeting's follow-up): the keys of its
# data, an id and an ISO date only (routing.named_owner and schedule.due_named read them).
NAMED_OWNER = "owner"
NAMED_DUE = "due_on"


class CaseProcess(Process):
    """One run of one of our four flows for one case."""

    # Process comes from viewflow, which has no type information, so django-stubs cannot
    # infer these fields' types: they are spelled out.
    case: models.ForeignKey[Case, Case] = models.ForeignKey(
        "cases.Case", verbose_name=_("ケース"), on_delete=models.PROTECT, related_name="processes"
    )
    # The organisation whose staff do the steps; the case's own unless changed for this case.
    lead_organisation: models.ForeignKey[Organisation, Organisation] = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("担当組織"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The code chosen at the last decision (triage outcome, conference outcome, petitioner…),
    # read by the gateways that follow. A code, never a note.
    route: models.CharField[str, str] = models.CharField(_("分岐"), max_length=32, blank=True)
    # The answer to the last yes/no question of a loop (referral took, candidate accepted…).
    answer: models.CharField[str, str] = models.CharField(_("回答"), max_length=16, blank=True)
    # A due date chosen by one step for a later one (first team meeting, fee-subsidy deadline).
    next_due: models.DateField[datetime.date | None, datetime.date | None] = models.DateField(
        _("次の期限"), null=True, blank=True
    )
    # Records shared by several steps of one process (parallel steps edit the same one).
    referral: models.ForeignKey[Referral | None, Referral | None] = models.ForeignKey(
        "cases.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessment: models.ForeignKey[Assessment | None, Assessment | None] = models.ForeignKey(
        "cases.Assessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    petition: models.ForeignKey[Petition | None, Petition | None] = models.ForeignKey(
        "cases.Petition", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ケースの手続き")
        verbose_name_plural = _("ケースの手続き")


class CaseTask(models.Model):
    """Who a human task is for, and when it is due: viewflow's Task has neither."""

    task = models.OneToOneField(
        "viewflow.Task", on_delete=models.CASCADE, primary_key=True, related_name="case_task"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # A role name from accounts.roles.Role; blank means any caseworker of the organisation.
    role = models.CharField(_("役割"), max_length=32, blank=True)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    reminded_on = models.DateField(_("期限前の通知日"), null=True, blank=True)
    overdue_reminded_on = models.DateField(_("期限超過の通知日"), null=True, blank=True)
    # Copies of viewflow's task status and owner, so that one index serves each inbox tab.
    # Written in the same transaction as the task (``signals.task_saved``, ``case_task_create``).
    status = models.CharField(_("状態"), max_length=50, default="NEW")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        # The "mine" index below starts with the owner; a second index would only cost writes.
        db_index=False,
    )

    class Meta:
        verbose_name = _("タスクの担当と期限")
        verbose_name_plural = _("タスクの担当と期限")
        indexes = [
            # "Mine" and my overdue tasks: soonest due first (NULLS LAST is btree's ASC order).
            models.Index(
                fields=["owner", "status", "due_on", "task"], name="workflows_casetask_mine"
            ),
            # The organisation's queue, one role at a time, soonest due first.
            models.Index(
                fields=["organisation", "role", "status", "due_on", "task"],
                name="workflows_casetask_queue",
            ),
            # The reminder sweep.
            models.Index(fields=["due_on"]),
            models.Index(fields=["case", "task"]),
        ]

    def __str__(self) -> str:
        return f"task {self.task_id}"
