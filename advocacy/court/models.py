"""The court's side of a guardianship: the guardian's reporting deadlines, the signs of
trouble (不正防止) and the city's subsidy rules (成年後見制度利用支援事業).

Only dates, choices and yen are clear here; anything said in words is encrypted under the
case's person, like the case records.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.cases.models import Subsidy
from advocacy.crypto.fields import EncryptedIntegerField, EncryptedTextField


class ReportingPlan(models.Model):
    """The month the court set for the guardian's yearly report (定期報告), one per case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    appointment = models.ForeignKey(
        "cases.GuardianAppointment", on_delete=models.PROTECT, related_name="+"
    )
    report_month = models.PositiveSmallIntegerField(
        _("定期報告の月"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("報告の予定")
        verbose_name_plural = _("報告の予定")

    def __str__(self) -> str:
        return f"{self.report_month}"


class Obligation(models.Model):
    """A dated obligation of the guardian towards the court (or the city), on a case."""

    class Kind(models.TextChoices):
        FIRST_REPORT = "first_report", _("初回報告（財産目録・収支予定表）")
        YEARLY_REPORT = "yearly_report", _("定期報告")
        FEE_PETITION = "fee_petition", _("報酬付与の申立")
        SUBSIDY_APPLICATION = "subsidy_application", _("報酬助成の申請")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("種類"), max_length=24, choices=Kind.choices)
    due_on = models.DateField(_("期限"))
    submitted_on = models.DateField(_("提出日"), null=True, blank=True)
    # For a fee petition: the day the court ruled on the fee (it opens the subsidy application).
    ruled_on = models.DateField(_("報酬付与の審判日"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    overdue_reminded_on = models.DateField(null=True, blank=True, editable=False)
    # The day the supervisor was given a task for a report this far overdue.
    escalated_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("裁判所等への提出期限")
        verbose_name_plural = _("裁判所等への提出期限")
        indexes = [models.Index(fields=["submitted_on", "due_on"], name="court_obl_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    @property
    def is_report(self) -> bool:
        return self.kind in (self.Kind.FIRST_REPORT, self.Kind.YEARLY_REPORT)

    @property
    def was_late(self) -> bool:
        return bool(self.submitted_on and self.submitted_on > self.due_on)


class Flag(models.Model):
    """A sign of trouble in a guardianship, on the supervisor's list until cleared."""

    encryption_owner = "person_id"

    class Reason(models.TextChoices):
        LATE_REPORTS = "late_reports", _("報告の遅れが重なっている")
        RELATIVE_COMPLAINT = "relative_complaint", _("親族からの苦情")
        ASSET_CHANGE = "asset_change", _("説明のない大きな資産の変動")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "cases.Person", on_delete=models.CASCADE, related_name="+", editable=False
    )
    reason = models.CharField(_("理由"), max_length=24, choices=Reason.choices)
    raised_on = models.DateField(_("記録日"))
    # What raised it, when it was a record (the complaint's contact); one flag per source.
    source_id = models.UUIDField(null=True, blank=True, editable=False)
    note = EncryptedTextField(_("内容"), blank=True, max_length=2000)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cleared_on = models.DateField(_("解消日"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("不正防止の注意")
        verbose_name_plural = _("不正防止の注意")
        constraints = [
            models.UniqueConstraint(
                fields=["reason", "source_id"], name="court_flag_one_per_source"
            )
        ]
        indexes = [models.Index(fields=["raised_on"], include=["reason"], name="court_flag_idx")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.raised_on}"


BUDGET_LINES = ("elderly", "disability", "other")


def default_budget_lines() -> dict[str, str]:
    return {
        "elderly": "elderly",
        "intellectual": "disability",
        "mental": "disability",
        "other_disability": "disability",
    }


class SubsidyRule(models.Model):
    """One fiscal year's rules of the city's subsidy programme, edited by a system admin."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度（西暦の4月開始年）"), unique=True)
    welfare_eligible = models.BooleanField(_("生活保護受給者を対象とする"), default=True)
    non_taxed_eligible = models.BooleanField(_("住民税非課税世帯を対象とする"), default=True)
    asset_ceiling_yen = models.PositiveIntegerField(
        _("資産の上限（円）"), help_text=_("この額までの資産なら対象（この額を超えると対象外）")
    )
    covers_filing_fee = models.BooleanField(_("申立手数料・登記手数料・郵券"), default=True)
    covers_examination = models.BooleanField(_("鑑定費用"), default=True)
    covers_certificate = models.BooleanField(_("診断書料"), default=True)
    monthly_cap_home_yen = models.PositiveIntegerField(_("報酬助成の月額上限（在宅）"))
    monthly_cap_facility_yen = models.PositiveIntegerField(_("報酬助成の月額上限（施設）"))
    # Which budget line pays, by the person's category (reference.PersonCategory codes);
    # a person of several categories takes the first in the reference list's order.
    budget_lines = models.JSONField(
        _("予算の区分（本人の区分コード → 区分）"), default=default_budget_lines
    )

    class Meta:
        verbose_name = _("利用支援事業の基準")
        verbose_name_plural = _("利用支援事業の基準")
        ordering = ["-fiscal_year"]

    def __str__(self) -> str:
        return f"{self.fiscal_year}"

    def clean(self) -> None:
        lines = self.budget_lines
        if not isinstance(lines, dict) or not all(
            isinstance(line, str) and line in BUDGET_LINES for line in lines.values()
        ):
            raise ValidationError(
                {"budget_lines": _("予算の区分は elderly・disability・other から選んでください。")}
            )


class SubsidyAssessment(models.Model):
    """The computation of one subsidy application (``cases.Subsidy``): the rule applied, the
    facts it needs, the amount computed and any override with its reason (decision 95).

    The application holds what was applied for and decided (kind, date, decision); this
    holds only what the rule made of it. One computation per application.
    """

    encryption_owner = "person_id"

    class Basis(models.TextChoices):
        WELFARE = "welfare", _("生活保護")
        NON_TAXED = "non_taxed", _("住民税非課税")
        NONE = "none", _("該当なし")

    class Residence(models.TextChoices):
        HOME = "home", _("在宅")
        FACILITY = "facility", _("施設")

    class BudgetLine(models.TextChoices):
        ELDERLY = "elderly", _("高齢")
        DISABILITY = "disability", _("障害")
        OTHER = "other", _("その他")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # court sits above cases: the link is held here; ``application.assessment`` is its
    # reverse, read by the court and the statistics only.
    application = models.OneToOneField(
        "cases.Subsidy",
        verbose_name=_("申請"),
        on_delete=models.CASCADE,
        related_name="assessment",
        editable=False,
    )
    # Copied from the application: the case for its lists, the person whose key encrypts.
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "cases.Person", on_delete=models.CASCADE, related_name="+", editable=False
    )
    rule = models.ForeignKey(SubsidyRule, on_delete=models.PROTECT, related_name="+")
    # The application's kind as it was computed (decision 114): an application whose kind or
    # fiscal year is edited afterwards no longer has this computation.
    kind = models.CharField(
        _("算定した申請の種別"), max_length=16, choices=Subsidy.Kind.choices, editable=False
    )
    basis = models.CharField(_("対象の根拠"), max_length=16, choices=Basis.choices)
    assets_yen = EncryptedIntegerField(_("資産（円）"))
    residence = models.CharField(_("生活の場"), max_length=16, choices=Residence.choices)
    months = models.PositiveSmallIntegerField(_("報酬の対象月数"), default=0)
    fee_awarded_yen = models.PositiveIntegerField(_("報酬付与額（円）"), default=0)
    filing_fee_yen = models.PositiveIntegerField(_("申立手数料等（円）"), default=0)
    examination_yen = models.PositiveIntegerField(_("鑑定費用（円）"), default=0)
    certificate_yen = models.PositiveIntegerField(_("診断書料（円）"), default=0)
    eligible = models.BooleanField(_("対象"))
    budget_line = models.CharField(_("予算の区分"), max_length=16, choices=BudgetLine.choices)
    computed_yen = models.PositiveIntegerField(_("基準による額（円）"))
    override_yen = models.PositiveIntegerField(_("決定額（変更）"), null=True, blank=True)
    override_reason = EncryptedTextField(_("変更の理由"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("利用支援事業の算定")
        verbose_name_plural = _("利用支援事業の算定")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @property
    def amount_yen(self) -> int:
        return self.override_yen if self.override_yen is not None else self.computed_yen

    def clean(self) -> None:
        if self.override_yen is not None and not (self.override_reason or "").strip():
            raise ValidationError({"override_reason": _("決定額を変更する理由を入れてください。")})


class PaperTemplate(models.Model):
    """A city's own template of one paper, uploaded by a system administrator.

    Holds no personal data: placeholders only. Checked before it is saved
    (``papers.templates.template_check``).
    """

    code = models.CharField(_("書類"), max_length=32, unique=True)
    content = models.BinaryField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now=True)

    class Meta:
        verbose_name = _("書類のひな形")
        verbose_name_plural = _("書類のひな形")

    def __str__(self) -> str:
        return self.code
