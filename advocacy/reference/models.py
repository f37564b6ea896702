from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrderedChoice(models.Model):
    """A configurable entry of a short list shown in a fixed order (areas, categories…)."""

    code = models.SlugField(_("コード"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    active = models.BooleanField(_("有効"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Area(OrderedChoice):
    """One of the city's areas (日常生活圏域); configurable per deployment."""

    class Meta(OrderedChoice.Meta):
        verbose_name = _("地域")
        verbose_name_plural = _("地域")


class PersonCategory(OrderedChoice):
    """A coarse category of the person (高齢者, 知的障害…); several may apply."""

    class Meta(OrderedChoice.Meta):
        verbose_name = _("本人の区分")
        verbose_name_plural = _("本人の区分")


class MainConcern(OrderedChoice):
    """A main concern (主訴) of a consultation, counted in the statistics."""

    class Meta(OrderedChoice.Meta):
        verbose_name = _("主訴")
        verbose_name_plural = _("主訴")


def _valid_on(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


class GuardianshipScheme(models.Model):
    """A version of the law's classification of guardianship types.

    Today's scheme has 後見・保佐・補助 and 任意後見; the 2026 reform merges the first three.
    Records keep the type they were decided under, so old figures stay true.
    """

    code = models.SlugField(_("コード"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    valid_from = models.DateField(_("適用開始日"))
    valid_until = models.DateField(_("適用終了日"), null=True, blank=True)

    class Meta:
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="scheme_valid_until_after_from",
            )
        ]
        verbose_name = _("類型の体系")
        verbose_name_plural = _("類型の体系")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError(
                {"valid_until": _("適用終了日は適用開始日より前にはできません。")}
            )

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class SchemeItemQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        """Return the selectable entries of the schemes in force on day."""
        return self.filter(_valid_on(day, "scheme__"), active=True)

    def valid_between(self, first: datetime.date, last: datetime.date):
        """Return the selectable entries of the schemes in force on some day of first..last."""
        return self.filter(
            Q(scheme__valid_from__lte=last),
            Q(scheme__valid_until__isnull=True) | Q(scheme__valid_until__gte=first),
            active=True,
        )


class GuardianshipType(models.Model):
    """One type (類型) within a scheme, e.g. 後見 in the 2000 scheme."""

    scheme = models.ForeignKey(
        GuardianshipScheme, verbose_name=_("体系"), on_delete=models.PROTECT, related_name="types"
    )
    code = models.SlugField(_("コード"), max_length=32)
    name = models.CharField(_("名称"), max_length=50)
    voluntary = models.BooleanField(_("任意後見"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    active = models.BooleanField(_("選択可"), default=True)

    objects = SchemeItemQuerySet.as_manager()

    class Meta:
        ordering = ["scheme__valid_from", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unique_type_code_per_scheme")
        ]
        verbose_name = _("類型")
        verbose_name_plural = _("類型")

    def __str__(self) -> str:
        return self.name


class FamilyCourt(OrderedChoice):
    """A family court (家庭裁判所) or one of its branches (支部); a petition names one.

    A list, not words: the court is a clear column, and a typed name could carry anything.
    Seeded with the 50 main offices and some branches; administrators add the others.
    """

    main_office = models.ForeignKey(
        "self",
        verbose_name=_("本庁"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        help_text=_("支部・出張所のときだけ選ぶ"),
    )

    class Meta(OrderedChoice.Meta):
        verbose_name = _("家庭裁判所")
        verbose_name_plural = _("家庭裁判所")


class GrantedAct(models.Model):
    """An act the court may grant powers for (代理権・同意権の対象), within one scheme.

    The 2000 scheme grants 保佐・補助 powers act by act from a list (民法13条1項 and the
    petition's 代理行為目録); the 2026 reform makes this the rule for everyone.
    """

    scheme = models.ForeignKey(
        GuardianshipScheme, verbose_name=_("体系"), on_delete=models.PROTECT, related_name="acts"
    )
    code = models.SlugField(_("コード"), max_length=48)
    name = models.CharField(_("名称"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    active = models.BooleanField(_("選択可"), default=True)

    objects = SchemeItemQuerySet.as_manager()

    class Meta:
        ordering = ["scheme__valid_from", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unique_act_code_per_scheme")
        ]
        verbose_name = _("権限を付与する行為")
        verbose_name_plural = _("権限を付与する行為")

    def __str__(self) -> str:
        return self.name


NOT_APPLICABLE = "not_applicable"
