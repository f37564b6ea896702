"""Grants and shares: who may see which case, stored beside the rules that read them.

The tables keep the names they had in ``cases`` (migration ``access.0001`` moved the models
without touching the database).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from advocacy.crypto.fields import EncryptedCharField


class CaseUserObjectPermission(UserObjectPermissionBase):
    """A permission on one case for one user (guardian's direct foreign-key table)."""

    content_object = models.ForeignKey("cases.Case", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        db_table = "cases_caseuserobjectpermission"
        indexes = [
            models.Index(
                fields=["user", "permission", "content_object"],
                name="cases_caseu_user_id_b27108_idx",
            )
        ]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """A permission on one case for one group; kept so guardian never falls back to generics."""

    content_object = models.ForeignKey("cases.Case", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        db_table = "cases_casegroupobjectpermission"


class CaseShare(models.Model):
    """A case shared with another organisation, on a recorded legal basis.

    The reason staff write is encrypted under the case's person (it may name who met and
    when): no free text in a clear column (decision 62).
    """

    encryption_owner = "person_id"

    class Basis(models.TextChoices):
        CONSENT = "consent", _("本人の同意")
        SUPPORT_MEETING = "support_meeting", _("支援会議（守秘義務あり）")
        CONTRACT = "contract", _("委託契約に基づく共有")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="shares")
    # The case's person, whose data key encrypts the reason (set by the service).
    person = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="shared_cases"
    )
    basis = models.CharField(_("根拠"), max_length=24, choices=Basis.choices)
    reason = EncryptedCharField(_("理由"), max_length=200)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "cases_caseshare"
        verbose_name = _("ケースの共有")
        verbose_name_plural = _("ケースの共有")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_share_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.organisation}"
