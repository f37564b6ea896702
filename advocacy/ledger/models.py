import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from advocacy.crypto.fields import EncryptedTextField


class LedgerMapping(models.Model):
    """An organisation's stored column mapping (the screen's; the command reads a file)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="ledger_mapping"
    )
    # Column letters or header texts and the city's category words: no personal data.
    data = models.JSONField(_("対応表"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("台帳の対応表")
        verbose_name_plural = _("台帳の対応表")

    def __str__(self) -> str:
        return f"ledger mapping {self.organisation_id}"


class LedgerImport(models.Model):
    """One import of one workbook: its checkpoint, and the workbook until it is done.

    The workbook uploaded on the screen is kept between the preview and the last batch,
    encrypted under this import's own data key (owner: the import); when the import ends
    or is cancelled the key is destroyed, so the bytes are gone from every later backup
    too. The command reads the file it is given and stores nothing of it.
    """

    encryption_owner = "pk"

    class Status(models.TextChoices):
        CHECKED = "checked", _("確認済み（未取込み）")
        RUNNING = "running", _("取込み中")
        DONE = "done", _("完了")
        CANCELLED = "cancelled", _("取消し")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="ledger_imports"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_imports"
    )
    # SHA-256 of the workbook's bytes: the same file resumes the same import.
    digest = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.CHECKED
    )
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    # The checkpoint: rows (in the workbook's order) handled by committed batches.
    rows_done = models.PositiveIntegerField(_("処理済みの行"), default=0)
    cases_created = models.PositiveIntegerField(_("登録したケース"), default=0)
    # Sheet and row of the rows the supervisor chose to skip or to take as the same person.
    choices = models.JSONField(default=dict, blank=True)
    mapping = models.JSONField(default=dict)
    workbook = EncryptedTextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("台帳の取込み")
        verbose_name_plural = _("台帳の取込み")
        indexes = [models.Index(fields=["organisation", "digest"])]

    def __str__(self) -> str:
        return f"ledger import {str(self.id)[:8]}"


class LedgerCase(models.Model):
    """A case that came from a ledger row: the ledger's own number makes a rerun idempotent."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The ledger's case number, a code checked by parsing.parse_ledger_number.
    number = models.CharField(_("台帳のケース番号"), max_length=32)
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="ledger_entry")
    ledger_import = models.ForeignKey(LedgerImport, on_delete=models.PROTECT, related_name="cases")
    # The ledger did not say enough to open a process at the right step (decision 64): the
    # case waits in the import's list of cases to review until a supervisor starts one.
    needs_review = models.BooleanField(_("要確認"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="unique_ledger_number")
        ]

    def __str__(self) -> str:
        return self.number
