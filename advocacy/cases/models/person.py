import uuid
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.crypto.blind_index import BlindIndexField
from advocacy.crypto.erased import ERASED
from advocacy.crypto.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from advocacy.reference.models import Area, PersonCategory

AGE_BAND_WIDTH = 5


def age_band_of(birth_date: date, on: date) -> str:
    """Return the five-year age band ("80-84") of someone born on birth_date, as of on."""
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    low = max(age, 0) // AGE_BAND_WIDTH * AGE_BAND_WIDTH
    return f"{low}-{low + AGE_BAND_WIDTH - 1}"


class Person(models.Model):
    """The person the agency supports (本人). Identifying and descriptive fields are encrypted."""

    encryption_owner = "pk"

    class Sex(models.TextChoices):
        FEMALE = "female", _("女性")
        MALE = "male", _("男性")
        OTHER = "other", _("その他")
        UNKNOWN = "unknown", _("不明")

    class Living(models.TextChoices):
        HOME = "home", _("在宅")
        FACILITY = "facility", _("施設")
        HOSPITAL = "hospital", _("病院")
        OTHER = "other", _("その他")

    class Household(models.TextChoices):
        ALONE = "alone", _("単身")
        ELDERLY_COUPLE = "elderly_couple", _("高齢者のみ世帯")
        WITH_FAMILY = "with_family", _("家族と同居")
        OTHER = "other", _("その他")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("登録組織"),
        on_delete=models.PROTECT,
        related_name="persons",
    )
    # Encrypted: who the person is.
    name = EncryptedCharField(_("氏名"), max_length=100)
    kana = EncryptedCharField(_("ふりがな"), max_length=100)
    birth_date = EncryptedDateField(_("生年月日"))
    address = EncryptedCharField(_("住所"), max_length=200, blank=True)
    phone = EncryptedCharField(_("電話番号"), max_length=30, blank=True)
    # Encrypted: their circumstances in words.
    wishes = EncryptedTextField(_("本人の思い・希望"), blank=True, max_length=4000)
    relatives = EncryptedJSONField(
        _("親族"), default=list, blank=True, help_text=_("氏名・続柄・親等・連絡先・意向")
    )
    current_services = EncryptedTextField(_("利用中のサービス"), blank=True, max_length=4000)
    income = EncryptedTextField(_("収入"), blank=True, max_length=2000)
    assets = EncryptedTextField(_("資産"), blank=True, max_length=2000)
    debts = EncryptedTextField(_("負債"), blank=True, max_length=2000)
    health_notes = EncryptedTextField(_("健康・疾病の状況"), blank=True, max_length=4000)
    # Clear coarse categories, for statistics and routing.
    sex = models.CharField(_("性別"), max_length=16, choices=Sex.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("地域"), on_delete=models.PROTECT, related_name="persons"
    )
    categories = models.ManyToManyField(PersonCategory, verbose_name=_("区分"), blank=True)
    living_situation = models.CharField(_("生活の場"), max_length=16, choices=Living.choices)
    household_type = models.CharField(_("世帯"), max_length=16, choices=Household.choices)
    age_band = models.CharField(_("年齢階級"), max_length=8, editable=False)
    # Blind indexes for exact search and duplicate detection; never birth date alone.
    name_index = BlindIndexField(sources=["name"])
    kana_index = BlindIndexField(sources=["kana"])
    # The family name alone (やまかわ of やまかわ ゆき): search by it without the given name.
    kana_family_index = BlindIndexField(sources=["kana"], part="family")
    duplicate_index = BlindIndexField(sources=["kana", "birth_date"])
    erased_at = models.DateTimeField(_("消去日時"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    FINANCE_FIELDS = ("income", "assets", "debts")
    HEALTH_FIELDS = ("health_notes",)

    class Meta:
        verbose_name = _("本人")
        verbose_name_plural = _("本人")

    def __str__(self) -> str:
        # Never the name: this string reaches logs, admin history and audit labels.
        return f"本人 {str(self.id)[:8]}"

    def age_band_on(self, day: date) -> str | None:
        """Return the five-year band on day, or None when the birth date is unknown or erased."""
        if self.erased_at:
            return None
        birth_date = self.birth_date
        if not birth_date or birth_date is ERASED:
            return None
        return age_band_of(birth_date, day)

    def current_age_band(self) -> str:
        """Return today's band; the stored one is from when the record was last saved."""
        return self.age_band_on(timezone.localdate()) or self.age_band
