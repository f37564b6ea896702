import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


# CaseProcess.case points here, but CaseProcess is a viewflow Process, which has no type
# information: django-stubs cannot build the reverse manager (case.processes).
class Case(models.Model):  # type: ignore[django-manager-missing]
    """One person's case at one organisation, from intake to closing."""

    class Controller(models.TextChoices):
        CITY = "city", _("市（中核機関業務）")
        COUNCIL = "council", _("社協（自主事業）")

    class Purpose(models.TextChoices):
        CORE_AGENCY = "core_agency", _("中核機関業務")
        DAILY_LIFE_SUPPORT = "daily_life_support", _("日常生活自立支援事業")
        CORPORATE_GUARDIANSHIP = "corporate_guardianship", _("法人後見")
        OTHER = "other", _("その他")

    class Stage(models.TextChoices):
        CONSULTATION = "consultation", _("相談受付")
        COORDINATION = "coordination", _("支援調整・受任調整")
        TEAM_SUPPORT = "team_support", _("チーム支援")
        GUARDIAN_SUPPORT = "guardian_support", _("後見人支援")
        CLOSED = "closed", _("終結")

    class Consent(models.TextChoices):
        NOT_ASKED = "not_asked", _("未確認")
        GIVEN = "given", _("同意あり")
        NOT_GIVEN = "not_given", _("同意なし")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("通常")
        URGENT = "urgent", _("緊急（虐待・差し迫った危険）")

    class ClosingReason(models.TextChoices):
        INFORMATION_GIVEN = "information_given", _("情報提供で終了")
        REFERRED = "referred", _("他機関へつないだ")
        LESS_RESTRICTIVE = "less_restrictive", _("他の支援で対応")
        DEATH = "death", _("死亡")
        CAPACITY_RESTORED = "capacity_restored", _("能力の回復")
        MOVED_AWAY = "moved_away", _("転出")
        # The 2026 reform lets the court end a guardianship that is no longer needed.
        ENDED_BY_COURT = "ended_by_court", _("審判による終了（必要がなくなった）")
        # The agency's support ends while the guardianship goes on (decision 60).
        TEAM_INDEPENDENT = "team_independent", _("チームの自立（後見等は継続）")
        GUARDIAN_SUFFICES = "guardian_suffices", _("後見人等の対応で足りる（後見等は継続）")
        OTHER = "other", _("その他")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("ケース番号"), max_length=16, unique=True, editable=False)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    serial = models.PositiveIntegerField(_("年度内番号"), editable=False)
    person = models.ForeignKey(
        "cases.Person", verbose_name=_("本人"), on_delete=models.PROTECT, related_name="cases"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("担当組織"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    controller = models.CharField(_("管理者"), max_length=16, choices=Controller.choices)
    purpose = models.CharField(_("目的"), max_length=32, choices=Purpose.choices)
    stage = models.CharField(
        _("段階"), max_length=24, choices=Stage.choices, default=Stage.CONSULTATION
    )
    urgency = models.CharField(
        _("緊急度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    consent = models.CharField(
        _("情報共有への同意"), max_length=16, choices=Consent.choices, default=Consent.NOT_ASKED
    )
    consent_on = models.DateField(_("同意確認日"), null=True, blank=True)
    # Feedback to whoever referred the person (a care manager, a hospital…) is a disclosure
    # of its own: asked at intake, withdrawable, apart from sharing within the team (decision 75).
    feedback_consent = models.CharField(
        _("相談者（紹介元）への経過報告への同意"),
        max_length=16,
        choices=Consent.choices,
        default=Consent.NOT_ASKED,
    )
    feedback_consent_on = models.DateField(_("経過報告の同意確認日"), null=True, blank=True)
    assigned_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    opened_on = models.DateField(_("受付日"))
    closed_on = models.DateField(_("終結日"), null=True, blank=True)
    closing_reason = models.CharField(
        _("終結理由"), max_length=24, choices=ClosingReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("ケース")
        verbose_name_plural = _("ケース")
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "serial"], name="unique_case_serial")
        ]
        indexes = [
            models.Index(fields=["organisation", "stage", "-opened_on"]),
            # The case list's keyset pages (decision 85): an organisation's cases in list order.
            models.Index(
                fields=["organisation", "opened_on", "number"], name="cases_case_list_idx"
            ),
            models.Index(fields=["assigned_worker", "stage"]),
            # The statistics: a case's intake date read from the index alone (lead times join a
            # year's records to their cases), a year's closings, and who had a 日自 case
            # before a decision.
            models.Index(fields=["id", "opened_on"], name="cases_case_opened_idx"),
            models.Index(
                fields=["closed_on"], include=["closing_reason"], name="cases_case_closed_idx"
            ),
            models.Index(
                fields=["person", "opened_on"],
                condition=models.Q(purpose="daily_life_support"),
                name="cases_case_daily_life_idx",
            ),
        ]
        # Model-wide grants of these are never given; they exist to be granted per case.
        permissions = [
            ("view_case_finances", _("本人の収入・資産・負債を見る")),
            ("view_case_health", _("本人の健康・疾病の状況を見る")),
            ("view_case_as_guardian", _("後見人として必要な範囲を見る")),
        ]

    def __str__(self) -> str:
        return self.number

    def get_stage_display(self) -> str:  # type: ignore[no-redef]  # django-stubs declares it
        # Django's own rebuilds and hashes every (lazy) choice on each call, a cost on every
        # row of a list; the enum looks the label up by value.
        try:
            return str(self.Stage(self.stage).label)
        except ValueError:
            return self.stage

    @property
    def is_closed(self) -> bool:
        return self.stage == self.Stage.CLOSED

    @property
    def guardianship_continues(self) -> bool:
        """Whether the case was closed with the guardianship going on (support ended only)."""
        return self.closing_reason in SUPPORT_END_REASONS


# What a closing says of the guardianship: only the agency's support ended (the guardianship
# goes on), or the guardianship itself ended; the other reasons close a case that had none.
SUPPORT_END_REASONS = frozenset(
    {Case.ClosingReason.TEAM_INDEPENDENT, Case.ClosingReason.GUARDIAN_SUFFICES}
)
GUARDIANSHIP_END_REASONS = frozenset(
    {
        Case.ClosingReason.DEATH,
        Case.ClosingReason.CAPACITY_RESTORED,
        Case.ClosingReason.ENDED_BY_COURT,
        Case.ClosingReason.MOVED_AWAY,
    }
)


class StageChange(models.Model):
    """When a case entered a stage; the statistics measure lead times from these."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=24, choices=Case.Stage.choices)
    changed_on = models.DateField()
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at"]
        indexes = [models.Index(fields=["stage", "changed_on"])]

    def __str__(self) -> str:
        return f"{self.case} {self.stage} {self.changed_on}"


class CaseNumberCounter(models.Model):
    """The last case serial issued in a fiscal year (R7-0042 is serial 42 of FY2025)."""

    fiscal_year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"FY{self.fiscal_year}: {self.last}"
