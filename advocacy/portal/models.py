"""Appointment-coordination requests (受任調整依頼), their answers and messages, and the
portal's own facts about candidates.

A request is also the statistics record: who was asked, for which need, when, the answer,
how long it took and why a candidate declined. Free text is encrypted under the person's
data key, so erasing the person erases it too.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.accounts.models import Professional
from advocacy.cases.models.general import AGE_BAND_CHOICES
from advocacy.crypto.fields import EncryptedTextField


class Need(models.TextChoices):
    """What the case mostly needs from a guardian; it suggests the profession."""

    LEGAL = "legal", _("法的紛争がある（弁護士）")
    PROPERTY = "property", _("財産管理が中心（司法書士）")
    WELFARE = "welfare", _("福祉的支援が中心（社会福祉士）")
    STABLE = "stable", _("安定している（市民後見人）")
    DIFFICULT = "difficult", _("長期・困難（法人後見）")


class Speciality(models.TextChoices):
    DISPUTES = "disputes", _("紛争・訴訟")
    REAL_ESTATE = "real_estate", _("不動産")
    DEBT = "debt", _("債務整理")
    WELFARE = "welfare", _("福祉サービス調整")
    ABUSE = "abuse", _("虐待対応")


# Specialities that speak for a candidate when the request names this need.
SPECIALITIES_FOR_NEED = {
    "legal": {Speciality.DISPUTES, Speciality.DEBT},
    "property": {Speciality.REAL_ESTATE, Speciality.DEBT},
    "welfare": {Speciality.WELFARE, Speciality.ABUSE},
    "stable": {Speciality.WELFARE},
    "difficult": {Speciality.DISPUTES, Speciality.ABUSE},
}


class CandidateProfile(models.Model):
    """What the portal knows about a candidate beyond accounts.Professional."""

    professional = models.OneToOneField(
        "accounts.Professional",
        verbose_name=_("専門職"),
        on_delete=models.CASCADE,
        related_name="candidate_profile",
    )
    available_from = models.DateField(
        _("受任可能になる日"), null=True, blank=True, help_text=_("空欄なら現在受任可能")
    )
    languages = models.CharField(
        _("対応言語"), max_length=100, blank=True, help_text=_("例: 日本語、英語、ポルトガル語")
    )
    specialities = models.JSONField(
        _("得意分野"), default=list, blank=True, help_text=_("紛争・不動産・債務・福祉・虐待")
    )
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("候補者情報")
        verbose_name_plural = _("候補者情報")

    def __str__(self) -> str:
        return str(self.professional)

    def clean(self):
        known = set(Speciality.values)
        if not isinstance(self.specialities, list) or not set(self.specialities) <= known:
            raise ValidationError({"specialities": _("得意分野に不明な項目があります。")})


class DeclineReason(models.TextChoices):
    CAPACITY = "capacity", _("受任件数が上限に達している")
    AREA = "area", _("対応地域外")
    EXPERTISE = "expertise", _("専門外の内容")
    CONFLICT = "conflict", _("利益相反のおそれ")
    SCHEDULE = "schedule", _("時期的に対応できない")
    OTHER = "other", _("その他")


class CoordinationRequest(models.Model):
    """One request to one candidate for one case."""

    encryption_owner = "person_id"

    class Status(models.TextChoices):
        SENT = "sent", _("回答待ち")
        ACCEPTED = "accepted", _("受任可")
        DECLINED = "declined", _("辞退")
        EXPIRED = "expired", _("期限切れ")
        WITHDRAWN = "withdrawn", _("取下げ")
        SUPERSEDED = "superseded", _("他の者が選任")

    OPEN = (Status.SENT,)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("ケース"), on_delete=models.CASCADE, related_name="+"
    )
    # Copied from the case: whose data key encrypts the free text.
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="+", editable=False
    )
    professional = models.ForeignKey(
        "accounts.Professional",
        verbose_name=_("候補者"),
        on_delete=models.PROTECT,
        related_name="coordination_requests",
    )
    # Kept as it was when asked: the candidate's profession may change later.
    profession = models.CharField(
        _("職種"), max_length=32, choices=Professional.Profession.choices, editable=False
    )
    need = models.CharField(_("必要な支援"), max_length=16, choices=Need.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # The anonymised summary: coarse categories in clear, each a choice or a reference
    # (nothing typed can hide there), words encrypted and checked (portal.anonymity).
    age_band = models.CharField(_("年齢階級"), max_length=8, choices=AGE_BAND_CHOICES)
    area = models.ForeignKey(
        "reference.Area", verbose_name=_("地域"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.ManyToManyField(
        "reference.PersonCategory", verbose_name=_("本人の区分"), blank=True, related_name="+"
    )
    # Nullable only for requests whose typed type named none of the list (portal.0003).
    type_sought = models.ForeignKey(
        "reference.GuardianshipType",
        verbose_name=_("想定する類型"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    main_issues = EncryptedTextField(_("主な課題"), max_length=2000)
    workload = EncryptedTextField(_("想定される業務量"), max_length=1000)

    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField(_("依頼日時"), default=timezone.now, editable=False)
    due_at = models.DateTimeField(_("回答期限"))
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    decline_reason = models.CharField(
        _("辞退の理由"), max_length=16, choices=DeclineReason.choices, blank=True
    )
    decline_note = EncryptedTextField(_("辞退の理由（詳細）"), blank=True, max_length=1000)
    closed_at = models.DateTimeField(_("取下げ等の日時"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("受任調整依頼")
        verbose_name_plural = _("受任調整依頼")
        constraints = [
            # One candidate at a time: requests go out in sequence, not to a crowd.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="sent"),
                name="portal_one_open_request_per_case",
            )
        ]
        indexes = [
            models.Index(fields=["professional", "status", "due_at"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["profession", "sent_at"]),
        ]

    def __str__(self) -> str:
        # Never a value: this string may reach logs.
        return f"受任調整依頼 {str(self.id)[:8]}"

    def save(self, *args, **kwargs):
        if self.person_id is None and self.case_id is not None:
            self.person_id = self.case.person_id
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SENT

    @property
    def answer_seconds(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.sent_at).total_seconds()


class RequestMessage(models.Model):
    """A question or reply in the thread of a request, between candidate and caseworker."""

    encryption_owner = "person_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(
        CoordinationRequest, on_delete=models.CASCADE, related_name="messages"
    )
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="+", editable=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    from_candidate = models.BooleanField(editable=False)
    body = EncryptedTextField(_("内容"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("依頼へのメッセージ")
        verbose_name_plural = _("依頼へのメッセージ")

    def __str__(self) -> str:
        return f"メッセージ {str(self.id)[:8]}"

    def save(self, *args, **kwargs):
        if self.person_id is None and self.request_id is not None:
            self.person_id = self.request.person_id
        super().save(*args, **kwargs)
