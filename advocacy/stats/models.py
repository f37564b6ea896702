"""What the statistics keep: national figures for comparison and published suppression patterns.

Neither holds a count of the agency's own: reports are computed from the case tables each time.
"""

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


class PublishedPattern(models.Model):
    """Which cells of one table were hidden when a fiscal year's report was published.

    Cells are named by row and column codes, never by value; a later release of the same year
    keeps them hidden, so comparing two releases cannot uncover a cell hidden in the first.
    """

    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    table = models.SlugField(_("表"), max_length=48)
    hidden = models.JSONField(_("秘匿したセル"), default=list)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("公表済みの秘匿パターン")
        verbose_name_plural = _("公表済みの秘匿パターン")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "table"], name="unique_pattern_per_year_table"
            )
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} {self.table}"
