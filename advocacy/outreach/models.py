"""The agency's duties beside its cases: feedback to referrers, publicity and training events.

Feedback (相談者への経過報告) is owed to the referrer of a case at each milestone, with the
person's consent; what was told is encrypted under the person's data key. An event (広報啓発・
研修) names no one: its place, kind, organiser and attendance counts are clear columns.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.crypto.fields import EncryptedTextField

TOLD_MAX = 2000


class Feedback(models.Model):
    """Feedback owed to a case's referrer at one milestone: due, given or cancelled."""

    encryption_owner = "person_id"

    class Milestone(models.TextChoices):
        TAKEN_ON = "taken_on", _("受付（相談を受けた）")
        POLICY_DECIDED = "policy_decided", _("支援方針の決定")
        PETITION_FILED = "petition_filed", _("申立")
        RULING = "ruling", _("審判")
        SUPPORT_ENDED = "support_ended", _("支援の終結")

    class Method(models.TextChoices):
        PHONE = "phone", _("電話")
        LETTER = "letter", _("文書")
        MEETING = "meeting", _("面談")

    class Status(models.TextChoices):
        DUE = "due", _("未報告")
        GIVEN = "given", _("報告済み")
        CANCELLED = "cancelled", _("取りやめ（同意の撤回）")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", editable=False
    )
    # The case's person: whose data key encrypts what was told.
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="+", editable=False
    )
    milestone = models.CharField(_("節目"), max_length=24, choices=Milestone.choices)
    reached_on = models.DateField(_("節目の日"))
    due_on = models.DateField(_("報告期限"))
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.DUE)
    process = models.ForeignKey(
        "workflows.CaseProcess",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    given_on = models.DateField(_("報告日"), null=True, blank=True)
    method = models.CharField(_("報告の方法"), max_length=16, choices=Method.choices, blank=True)
    told = EncryptedTextField(_("報告した内容"), blank=True, max_length=TOLD_MAX)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("相談者への経過報告")
        verbose_name_plural = _("相談者への経過報告")
        ordering = ["reached_on", "created_at"]
        constraints = [
            # One feedback per milestone of a case (decision 75).
            models.UniqueConstraint(fields=["case", "milestone"], name="outreach_feedback_once")
        ]
        indexes = [
            models.Index(fields=["due_on"], include=["status"], name="outreach_feedback_due_idx")
        ]

    def __str__(self) -> str:
        # Never a value: this string may reach logs.
        return f"経過報告 {self.milestone} {str(self.id)[:8]}"


class OutreachEvent(models.Model):
    """One publicity or training event (広報啓発・研修), a consultation day or a leaflet round."""

    class Kind(models.TextChoices):
        RESIDENT_SEMINAR = "resident_seminar", _("住民向けセミナー・講演会")
        BRIEFING = "briefing", _("民生委員・ケアマネジャー等への説明会")
        PROFESSIONAL_TRAINING = "professional_training", _("専門職・関係機関向け研修")
        OPEN_CONSULTATION = "open_consultation", _("なんでも相談会")
        VISITING_CONSULTATION = "visiting_consultation", _("出張相談会")
        LEAFLETS = "leaflets", _("リーフレット等の配布")

    class Audience(models.TextChoices):
        RESIDENTS = "residents", _("地域住民")
        COMMISSIONERS = "commissioners", _("民生委員")
        CARE_MANAGERS = "care_managers", _("ケアマネジャー・相談支援専門員")
        PROFESSIONALS = "professionals", _("専門職・関係機関")
        MIXED = "mixed", _("複数の対象")

    class Organiser(models.TextChoices):
        CITY = "city", _("市")
        COUNCIL = "council", _("社会福祉協議会")
        JOINT = "joint", _("市と社協の共催")
        PROFESSIONAL_BODY = "professional_body", _("専門職団体")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("登録組織"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    held_on = models.DateField(_("開催日"))
    title = models.CharField(_("名称"), max_length=200)
    place = models.CharField(_("会場"), max_length=200, blank=True)
    kind = models.CharField(_("種別"), max_length=32, choices=Kind.choices)
    audience = models.CharField(_("主な対象"), max_length=24, choices=Audience.choices)
    organiser = models.CharField(_("主催"), max_length=24, choices=Organiser.choices)
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True)
    # Attendance by audience type; a leaflet round records copies handed out instead.
    attended_residents = models.PositiveIntegerField(_("参加者：地域住民"), default=0)
    attended_commissioners = models.PositiveIntegerField(_("参加者：民生委員"), default=0)
    attended_care_managers = models.PositiveIntegerField(
        _("参加者：ケアマネジャー・相談支援専門員"), default=0
    )
    attended_professionals = models.PositiveIntegerField(_("参加者：専門職・関係機関"), default=0)
    attended_others = models.PositiveIntegerField(_("参加者：その他"), default=0)
    leaflets = models.PositiveIntegerField(
        _("配布部数"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    general_consultations = models.ManyToManyField(
        "cases.GeneralConsultation",
        verbose_name=_("会場で受けた一般相談"),
        blank=True,
        related_name="+",
    )
    consultations = models.ManyToManyField(
        "cases.Consultation",
        verbose_name=_("会場で受けたケースの相談"),
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    ATTENDANCE_FIELDS = (
        "attended_residents",
        "attended_commissioners",
        "attended_care_managers",
        "attended_professionals",
        "attended_others",
    )

    class Meta:
        verbose_name = _("広報啓発・研修")
        verbose_name_plural = _("広報啓発・研修")
        ordering = ["-held_on", "-created_at"]
        indexes = [
            models.Index(fields=["organisation", "-held_on"]),
            models.Index(fields=["held_on"], include=["kind"], name="outreach_event_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def attendance(self) -> int:
        return sum(getattr(self, name) for name in self.ATTENDANCE_FIELDS)

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.attendance > self.capacity
