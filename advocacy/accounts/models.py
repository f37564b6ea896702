import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.reference.models import Area


class Organisation(models.Model):
    """A body whose people use the system; every case belongs to one."""

    class Kind(models.TextChoices):
        CITY_OFFICE = "city_office", _("市 中核機関窓口")
        COUNCIL_CENTRE = "council_centre", _("社会福祉協議会 サポートセンター")
        PROFESSIONAL_BODY = "professional_body", _("専門職団体")
        COMMITTEE = "committee", _("ネットワーク委員会")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("名称"), max_length=200, unique=True)
    short_name = models.CharField(_("略称"), max_length=50, blank=True)
    kind = models.CharField(_("種別"), max_length=32, choices=Kind.choices)
    active = models.BooleanField(_("有効"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("組織")
        verbose_name_plural = _("組織")

    def __str__(self) -> str:
        return self.short_name or self.name


class User(AbstractUser):
    """Someone who logs in: staff of an organisation, a professional, a committee member."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属組織"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )

    # Not Meta(AbstractUser.Meta): it holds only the verbose names set here (and abstract,
    # which a subclass resets), and django-stubs do not declare it.
    class Meta:
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Family name first, as Japanese names are written (Django's puts it last)."""
        return f"{self.last_name} {self.first_name}".strip()


class Professional(models.Model):
    """A professional who may be asked to become a guardian (受任候補者)."""

    class Profession(models.TextChoices):
        LAWYER = "lawyer", _("弁護士")
        JUDICIAL_SCRIVENER = "judicial_scrivener", _("司法書士")
        SOCIAL_WORKER = "social_worker", _("社会福祉士")
        ADMINISTRATIVE_SCRIVENER = "administrative_scrivener", _("行政書士")
        CITIZEN_GUARDIAN = "citizen_guardian", _("市民後見人")
        CORPORATE = "corporate", _("法人後見")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        User, verbose_name=_("利用者"), on_delete=models.CASCADE, related_name="professional"
    )
    profession = models.CharField(_("職種"), max_length=32, choices=Profession.choices)
    registration_body = models.CharField(
        _("所属団体"), max_length=100, help_text=_("例: 滋賀弁護士会、リーガルサポート、ぱあとなあ")
    )
    areas = models.ManyToManyField(Area, verbose_name=_("対応地域"), blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("受任可能件数"), default=5, help_text=_("同時に受けられる件数の上限")
    )
    active = models.BooleanField(_("受付中"), default=True)

    class Meta:
        ordering = ["profession", "user__last_name"]
        verbose_name = _("専門職")
        verbose_name_plural = _("専門職")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_profession_display()})"
