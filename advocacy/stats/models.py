"""What the statistics keep: national figures for comparison and the releases to the committee.

Live reports are computed from the case tables each time; what the committee sees is a
release, stored as it was computed.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# A share is published to one decimal: it may differ from its counts by half a unit of that.
SHARE_ROUNDING = Decimal("0.05")


class NationalFigure(models.Model):
    """A published national figure, with what it counts, its basis and source.

    A share (unit "%") is compared only when its numerator and denominator are stored and
    agree with it (``counts_agree``); a count is its own numerator. Where the source gives
    a share without its counts, the counts stay empty: unknown, and the share is not compared.
    """

    class Period(models.TextChoices):
        CALENDAR = "calendar", _("暦年（1月〜12月）")
        FISCAL = "fiscal", _("年度（4月〜3月）")
        YEAR_END = "year_end", _("年末時点")

    class Basis(models.TextChoices):
        FILED = "filed", _("申立て（受理）の件数")
        CLOSED = "closed", _("終局した事件")
        IN_USE = "in_use", _("制度を利用している人")
        UNSTATED = "unstated", _("出典の集計対象を未登録")

    code = models.SlugField(_("コード"), max_length=48)
    label = models.CharField(_("項目"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年"))
    value = models.DecimalField(_("値"), max_digits=12, decimal_places=1)
    unit = models.CharField(_("単位"), max_length=16)
    source = models.CharField(_("出典"), max_length=200)
    definition = models.TextField(_("定義"), blank=True)
    period = models.CharField(_("期間の基準"), max_length=16, choices=Period.choices, blank=True)
    basis = models.CharField(_("数える対象"), max_length=16, choices=Basis.choices, blank=True)
    # Empty where the source's counts are not on record: then the figure is not compared.
    numerator = models.PositiveIntegerField(_("分子の件数"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("分母の件数"), null=True, blank=True)
    denominator_definition = models.CharField(_("分母の定義"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("全国の数値")
        verbose_name_plural = _("全国の数値")
        ordering = ["code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year"], name="unique_national_figure_year")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.year})"

    @property
    def is_share(self) -> bool:
        return self.unit == "%"

    @property
    def counts_known(self) -> bool:
        if self.is_share:
            return self.numerator is not None and bool(self.denominator)
        return self.numerator is not None

    def counts_agree(self) -> bool:
        """Return whether the stored counts give the stored value (a share within rounding)."""
        if not self.counts_known:
            return False
        if not self.is_share:
            return Decimal(self.numerator or 0) == self.value
        numerator, denominator = self.numerator or 0, self.denominator or 1
        share = Decimal(100 * numerator) / Decimal(denominator)
        return numerator <= denominator and abs(share - self.value) <= SHARE_ROUNDING

    def clean(self):
        if self.is_share and (self.numerator is None) != (self.denominator is None):
            raise ValidationError(
                _("割合の分子と分母は両方とも入れるか、両方とも空にしてください。")
            )
        if self.counts_known and self.value is not None and not self.counts_agree():
            raise ValidationError(
                _("値が分子・分母（件数）と合いません。出典の数値を確認してください。")
            )


class Release(models.Model):
    """One release of a fiscal year's report to the committee, exactly as it was published.

    ``shown`` holds the cells as the committee sees them (＊ included), so a release reads the
    same for ever, whatever the case tables hold later. ``counts`` holds the counts behind the
    tables and which cells were hidden: a later release of the same year is protected against
    this one with them (stats.suppression). ``counts`` is never rendered, exported or audited
    as a value; only the services read it. ``html`` holds the report's tables rendered
    once at release time, one fragment per language of the site, so the committee's page
    is served from it without rebuilding the tables (decision 100).
    """

    class Kind(models.TextChoices):
        BEFORE_COMMITTEE = "before_committee", _("委員会前の公表")
        FINAL = "final", _("年度確定版")

    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("版"))
    kind = models.CharField(_("種別"), max_length=24, choices=Kind.choices)
    released_at = models.DateTimeField(_("公表日時"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("公表した人"),
    )
    k = models.PositiveSmallIntegerField(_("秘匿の閾値"))
    shown = models.JSONField(_("公表した表"))
    counts = models.JSONField(_("秘匿の基礎"))
    # Language code → the rendered tables (stats/_report.html); empty for releases made before
    # it was stored, which are rendered from ``shown`` on each view.
    html = models.JSONField(_("公表した表（表示用）"), default=dict, blank=True)

    class Meta:
        verbose_name = _("統計の公表")
        verbose_name_plural = _("統計の公表")
        ordering = ["-fiscal_year", "-number"]
        constraints = [
            # Two supervisors releasing at once: one of them gets the number, the other fails.
            models.UniqueConstraint(
                fields=["fiscal_year", "number"], name="unique_release_number_per_year"
            ),
            models.UniqueConstraint(
                fields=["fiscal_year"],
                condition=models.Q(kind="final"),
                name="one_final_release_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} #{self.number}"
