from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """One of the city's areas (日常生活圏域); configurable per deployment."""

    code = models.SlugField(_("コード"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    active = models.BooleanField(_("有効"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("地域")
        verbose_name_plural = _("地域")

    def __str__(self) -> str:
        return self.name
