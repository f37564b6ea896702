"""The agency's duties beside its cases: feedback to referrers, events, guardians' training.

Feedback (相談者への経過報告) is owed to the referrer of a case at each milestone, with the
person's consent; what was told is encrypted under the person's data key. An event (広報啓発・
研修) names no one: its place, kind, organiser and attendance counts are clear columns. A
citizen guardian trainee is a person: their name and contacts are encrypted under a data key
of their own, as a Person's.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.crypto.fields import EncryptedCharField, EncryptedTextField

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


class TrainingCourse(models.Model):
    """A citizen guardian (市民後見人) training course: one cohort (期) of sessions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("実施組織"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    title = models.CharField(_("名称"), max_length=200)
    cohort = models.PositiveSmallIntegerField(_("期"))
    starts_on = models.DateField(_("開講日"))
    sessions = models.PositiveSmallIntegerField(
        _("講義・実習の回数"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    # How many sessions a trainee must attend to complete (decision 76).
    required_sessions = models.PositiveSmallIntegerField(
        _("修了に必要な出席回数"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("市民後見人養成研修")
        verbose_name_plural = _("市民後見人養成研修")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.title} 第{self.cohort}期"

    def clean(self):
        if self.sessions and self.required_sessions and self.required_sessions > self.sessions:
            raise ValidationError(
                {
                    "required_sessions": _(
                        "修了に必要な出席回数は講義・実習の回数以下にしてください。"
                    )
                }
            )


class Trainee(models.Model):
    """A trainee of a course: who they are is encrypted under their own data key, as a person's."""

    encryption_owner = "pk"

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("受講中")
        COMPLETED = "completed", _("修了")
        WITHDRAWN = "withdrawn", _("中途辞退")

    class Backup(models.TextChoices):
        SUPERVISION = "supervision", _("社協が後見監督人として支える")
        RELAY = "relay", _("専門職からのリレー（引き継ぎ）で受任する")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(
        TrainingCourse, on_delete=models.PROTECT, related_name="trainees", editable=False
    )
    name = EncryptedCharField(_("氏名"), max_length=100)
    kana = EncryptedCharField(_("ふりがな"), max_length=100)
    address = EncryptedCharField(_("住所"), max_length=200, blank=True)
    phone = EncryptedCharField(_("電話番号"), max_length=30, blank=True)
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.ENROLLED, editable=False
    )
    completed_on = models.DateField(_("修了日"), null=True, blank=True, editable=False)
    # On the register (名簿) of citizen guardians, and a candidate in the roster from then.
    registered_on = models.DateField(_("名簿登録日"), null=True, blank=True, editable=False)
    backup = models.CharField(
        _("社協の支援の形"), max_length=16, choices=Backup.choices, blank=True
    )
    professional = models.OneToOneField(
        "accounts.Professional",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainee",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the trainee's data key was destroyed (``trainee_erase``): the encrypted fields
    # read as （消去済み） from then on; the clear columns stay, so the counts do too.
    erased_at = models.DateTimeField(_("消去日時"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("受講者")
        verbose_name_plural = _("受講者")
        ordering = ["created_at"]

    def __str__(self) -> str:
        # Never the name: this string may reach logs.
        return f"受講者 {str(self.id)[:8]}"


class SessionAttendance(models.Model):
    """A trainee was present at one session of their course."""

    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="attendances")
    session = models.PositiveSmallIntegerField(_("回"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trainee", "session"], name="outreach_attended_once")
        ]

    def __str__(self) -> str:
        return f"{self.trainee} #{self.session}"
