from django.db import models
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
        verbose_name = _("類型の体系")
        verbose_name_plural = _("類型の体系")

    def __str__(self) -> str:
        return self.name


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
