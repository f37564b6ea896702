"""What the statistics keep: national figures for comparison and the releases to the committee.

Live reports are computed from the case tables each time; what the committee sees is a
release, stored as it was computed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NationalFigure(models.Model):
    """A published national figure, with its source and year, shown beside ours."""

    code = models.SlugField(_("コード"), max_length=48)
    label = models.CharField(_("項目"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年"))
    value = models.DecimalField(_("値"), max_digits=12, decimal_places=1)
    unit = models.CharField(_("単位"), max_length=16)
    source = models.CharField(_("出典"), max_length=200)

    class Meta:
        verbose_name = _("全国の数値")
        verbose_name_plural = _("全国の数値")
        ordering = ["code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year"], name="unique_national_figure_year")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.year})"


class Release(models.Model):
    """One release of a fiscal year's report to the committee, exactly as it was published.

    ``shown`` holds the cells as the committee sees them (＊ included), so a release reads the
    same for ever, whatever the case tables hold later. ``counts`` holds the counts behind the
    tables and which cells were hidden: a later release of the same year is protected against
    this one with them (stats.suppression). ``counts`` is never rendered, exported or audited
    as a value; only the services read it.
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
