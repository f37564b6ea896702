"""Per-person data keys, stored only wrapped by a master key."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """One generation of one owner's data key, wrapped by a master key from the key file.

    A destroyed key keeps its row with the wrapped bytes emptied (a tombstone), so that values
    of an erased person read as erased while a key that never existed stays an error.
    """

    # Indexed by the unique constraint below, whose first column it is.
    owner_id = models.UUIDField(_("所有者ID"))
    generation = models.PositiveIntegerField(_("世代"))
    master_key_id = models.CharField(_("マスターキーID"), max_length=64)
    wrapped = models.BinaryField(_("ラップ済み鍵"), editable=False)
    created = models.DateTimeField(_("作成日時"), default=timezone.now, editable=False)
    destroyed_at = models.DateTimeField(_("破棄日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("データ鍵")
        verbose_name_plural = _("データ鍵")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_id", "generation"], name="crypto_datakey_owner_generation"
            ),
        ]

    def __str__(self) -> str:
        state = "destroyed" if self.destroyed_at else self.master_key_id
        return f"DataKey {self.owner_id} gen {self.generation} ({state})"

    def __repr__(self) -> str:
        return f"<DataKey owner={self.owner_id} gen={self.generation} master={self.master_key_id}>"

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None
