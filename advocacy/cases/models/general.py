"""一般相談: a contact that names no one — a question about the system, a call, a visitor.

Most of a core agency's contacts are these. Only clear categories are kept (channel, who
asked, main concern, an age band and area when known, minutes spent, outcome), so they can
be counted without identifying anyone; the short summary is encrypted all the same (under a
data key of the record's own, as no person owns it) and checked for identifying words. If
the contact later becomes a case, the record is linked to it.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.crypto.fields import EncryptedTextField
from advocacy.reference.models import Area, MainConcern

from .person import AGE_BAND_WIDTH
from .records import Consultation, not_in_future

# Five-year bands as a person's are stored ("80-84"), so the statistics group them alike.
AGE_BAND_CHOICES = [
    (f"{low}-{low + AGE_BAND_WIDTH - 1}", _("%(low)d〜%(high)d歳") % {"low": low, "high": low + 4})
    for low in range(0, 105, AGE_BAND_WIDTH)
]
SUMMARY_MAX = 1000


class GeneralConsultation(models.Model):
    """One 一般相談, with no person: counted by its categories, linked to a case if one opens."""

    encryption_owner = "pk"

    class Outcome(models.TextChoices):
        INFORMATION_GIVEN = "information_given", _("情報提供・助言で終了")
        REFERRED = "referred", _("他機関へつないだ")
        CONTINUING = "continuing", _("継続して対応")
        CASE_OPENED = "case_opened", _("ケースとして受付")
        OTHER = "other", _("その他")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("受付組織"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    consulted_on = models.DateField(_("相談日"), validators=[not_in_future])
    channel = models.CharField(_("相談方法"), max_length=16, choices=Consultation.Channel.choices)
    referrer_type = models.CharField(
        _("相談者の種別"), max_length=32, choices=Consultation.ReferrerType.choices
    )
    main_concerns = models.ManyToManyField(MainConcern, verbose_name=_("主訴"), blank=True)
    age_band = models.CharField(
        _("本人の年齢（分かれば）"), max_length=8, choices=AGE_BAND_CHOICES, blank=True
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("地域（分かれば）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes = models.PositiveSmallIntegerField(
        _("対応時間（分）"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    outcome = models.CharField(_("対応結果"), max_length=24, choices=Outcome.choices)
    summary = EncryptedTextField(
        _("相談の要旨（個人が特定される内容は書かない）"), blank=True, max_length=SUMMARY_MAX
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("結び付けたケース"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="general_consultations",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("一般相談")
        verbose_name_plural = _("一般相談")
        indexes = [
            models.Index(fields=["organisation", "-consulted_on"]),
            models.Index(
                fields=["consulted_on"], include=["channel", "outcome"], name="cases_gc_year_idx"
            ),
        ]

    def __str__(self) -> str:
        # Never a value: this string may reach logs.
        return f"一般相談 {str(self.id)[:8]}"
