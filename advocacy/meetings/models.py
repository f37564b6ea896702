"""Meetings where cases move forward: 支援会議, 支援調整会議, 定例会 and the network committee.

What is said about a case (the briefing for the pack, the minutes, the decision and its
reasons, a follow-up's words) is encrypted under the case's person, like any record of the
case. The meeting itself (its date, place, members and their organisations) is about the
meeting, not a person supported, and stays clear (decision 67).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.crypto.fields import EncryptedTextField

NOTE_MAX = 4000

# The statutory basis of a 支援会議 member's secrecy, shown on the pledge and every paper.
SECRECY_BASIS = _(
    "社会福祉法第106条の6：支援会議の事務に従事する者又は従事していた者は、正当な理由なく、"
    "支援会議の事務に関して知り得た秘密を漏らしてはならない。"
)
SECRECY_NOTICE = _(
    "この資料は社会福祉法第106条の6に基づく支援会議の資料です。構成員には守秘義務があります。"
    "会議の目的以外に使用せず、複製・持ち出しをしないでください。"
)


class Meeting(models.Model):
    """One meeting of the agency, with its members, agenda of cases and minutes."""

    class Kind(models.TextChoices):
        SUPPORT = "support", _("支援会議（社会福祉法第106条の6）")
        COORDINATION = "coordination", _("支援調整会議・受任調整会議")
        REGULAR = "regular", _("定例会")
        COMMITTEE = "committee", _("権利擁護支援ネットワーク委員会")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("主催組織"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("種別"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("開催日"))
    starts_at = models.TimeField(_("開始時刻"), null=True, blank=True)
    online = models.BooleanField(_("オンライン開催"), default=False)
    # The room, never a person's home: the form says so (a visit to 本人 is a contact record).
    place = models.CharField(_("会場"), max_length=100, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("司会・議長"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agenda_sent_on = models.DateField(_("次第の送付日"), null=True, blank=True)
    # The committee's minutes only: no personal data, checked before saving (decision 69).
    summary = models.TextField(_("議事の概要"), blank=True, max_length=NOTE_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]
        verbose_name = _("会議")
        verbose_name_plural = _("会議")
        indexes = [models.Index(fields=["organisation", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d}"

    @property
    def is_support_meeting(self) -> bool:
        return self.kind == self.Kind.SUPPORT

    @property
    def has_cases(self) -> bool:
        # The committee sees anonymised figures only: no case is ever on its agenda.
        return self.kind != self.Kind.COMMITTEE


class Member(models.Model):
    """A member of a meeting: staff of the agency, or an outside member with their body."""

    class OrganisationType(models.TextChoices):
        AGENCY = "agency", _("中核機関（市・社協）")
        COMMUNITY_CENTRE = "community_centre", _("地域包括支援センター")
        DISABILITY_CONSULTATION = "disability_consultation", _("相談支援事業所")
        CARE_MANAGEMENT = "care_management", _("居宅介護支援事業所")
        MEDICAL = "medical", _("医療機関")
        FACILITY = "facility", _("施設・事業所")
        LEGAL = "legal", _("弁護士・司法書士")
        SOCIAL_WORKER = "social_worker", _("社会福祉士")
        COURT = "court", _("家庭裁判所")
        WELFARE_COMMISSIONER = "welfare_commissioner", _("民生委員")
        GOVERNMENT = "government", _("行政機関")
        ACADEMIC = "academic", _("学識経験者")
        OTHER = "other", _("その他")

    class PledgeBasis(models.TextChoices):
        SOCIAL_WELFARE_ACT_106_6 = "swa_106_6", _("社会福祉法第106条の6（支援会議の守秘義務）")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="members")
    # Staff, or an outside member with an account (who may see the pack); an outside member
    # without an account attends on paper only.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_memberships",
    )
    is_outside = models.BooleanField(_("外部の構成員"), default=False)
    name = models.CharField(_("氏名"), max_length=100, blank=True)
    organisation_name = models.CharField(_("所属"), max_length=100, blank=True)
    organisation_type = models.CharField(
        _("所属の種別"), max_length=32, choices=OrganisationType.choices
    )
    title = models.CharField(_("役職・立場"), max_length=50, blank=True)
    attended = models.BooleanField(_("出席"), null=True, blank=True)
    pledged_on = models.DateField(_("守秘義務の誓約日"), null=True, blank=True)
    pledge_basis = models.CharField(
        _("誓約の根拠"), max_length=16, choices=PledgeBasis.choices, blank=True
    )

    class Meta:
        ordering = ["is_outside", "organisation_type", "name"]
        verbose_name = _("構成員")
        verbose_name_plural = _("構成員")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="one_membership_per_user",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or (str(self.user) if self.user_id else "")

    @property
    def has_pledged(self) -> bool:
        return bool(self.pledged_on and self.pledge_basis)


class AgendaItem(models.Model):
    """A case on a meeting's agenda: what the pack shows, the minutes, the decision."""

    encryption_owner = "person_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    # The case's person, whose data key encrypts the words (set by the service).
    person = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("順番"), default=0)
    # What the staff prepare for the members: the pack shows this and the case's outline only.
    briefing = EncryptedTextField(_("協議事項・資料"), blank=True, max_length=NOTE_MAX)
    minutes = EncryptedTextField(_("議事録"), blank=True, max_length=NOTE_MAX)
    decision_text = EncryptedTextField(_("決定事項"), blank=True, max_length=NOTE_MAX)
    reasons = EncryptedTextField(_("決定の理由"), blank=True, max_length=NOTE_MAX)
    # A 支援調整会議's decision, recorded as the case's own 支援方針の決定 (cases.Decision).
    decision = models.ForeignKey(
        "cases.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("議題（ケース）")
        verbose_name_plural = _("議題（ケース）")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="one_item_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} #{self.position}"


class MeetingShare(models.Model):
    """The meeting a 支援会議 share was made through (access sits below meetings)."""

    share = models.OneToOneField(
        "access.CaseShare", on_delete=models.PROTECT, related_name="meeting_link"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="shares")

    class Meta:
        verbose_name = _("支援会議による共有")
        verbose_name_plural = _("支援会議による共有")

    def __str__(self) -> str:
        return f"{self.meeting} {self.share_id}"


class FollowUp(models.Model):
    """An action a meeting decided: who does it, by when; it waits in the owner's inbox."""

    encryption_owner = "person_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="follow_ups")
    person = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="+")
    action = EncryptedTextField(_("対応"), max_length=1000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当者"),
        on_delete=models.PROTECT,
        related_name="meeting_follow_ups",
    )
    due_on = models.DateField(_("期限"))
    # The task in the owner's inbox (workflows.meeting_follow_up): done when its process is.
    process = models.OneToOneField(
        "workflows.CaseProcess", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        verbose_name = _("会議後の対応")
        verbose_name_plural = _("会議後の対応")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.due_on:%Y-%m-%d}"
