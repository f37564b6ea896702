"""The audit events and the head of their hash chain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .actions import Action

ERR_APPEND_ONLY = (
    "Audit events are append-only: they cannot be changed or deleted. "
    "Record a new event with advocacy.audit.services.audit_record instead."
)
ERR_USE_SERVICE = (
    "Audit events are written only by advocacy.audit.services.audit_record, "
    "which links them into the hash chain."
)


class AuditAppendOnlyError(Exception):
    """Someone tried to change, delete or bulk-write audit events."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnlyError(ERR_APPEND_ONLY)

    def delete(self) -> NoReturn:
        raise AuditAppendOnlyError(ERR_APPEND_ONLY)

    def bulk_update(
        self, objs: Iterable[AuditEvent], fields: Iterable[str], batch_size: int | None = None
    ) -> NoReturn:
        raise AuditAppendOnlyError(ERR_APPEND_ONLY)

    def create(self, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnlyError(ERR_USE_SERVICE)

    def bulk_create(self, objs: Iterable[AuditEvent], *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnlyError(ERR_USE_SERVICE)

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnlyError(ERR_APPEND_ONLY)

    def _raw_delete(self, using: str | None) -> NoReturn:
        raise AuditAppendOnlyError(ERR_APPEND_ONLY)


class AuditEvent(models.Model):
    """One thing someone did, linked to the event before it by an HMAC.

    Holds ids, numbers and field names only: never a name, an address or any decrypted value.
    """

    # The trail is several chains, each with its own head (decision 83): an append locks any
    # head no other transaction holds, so concurrent requests do not queue behind one row.
    # sequence numbers the events of one chain, 1, 2, 3 … with no gaps. Chain 1 is the chain
    # the trail always had; its events are hashed without the chain number (chain.canonical).
    chain = models.PositiveSmallIntegerField(_("系列"), default=1, db_default=1, editable=False)
    sequence = models.PositiveBigIntegerField(_("通し番号"), editable=False)
    time = models.DateTimeField(_("日時"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("操作者の所属組織"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        help_text=_("記録した時点の操作者の所属"),
    )
    action = models.PositiveSmallIntegerField(_("操作"), choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("対象の種類"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.CharField(_("対象ID"), max_length=64, blank=True)
    # The organisation the object belongs to (a case's organisation), so that its supervisors
    # also see what staff of organisations it is shared with did to it.
    object_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("対象の担当組織"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    label = models.CharField(
        _("対象の表示"), max_length=100, blank=True, help_text=_("ケース番号など。氏名は不可。")
    )
    fields_read = models.JSONField(_("閲覧した項目"), default=list, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    request_id = models.CharField(_("リクエストID"), max_length=32, blank=True)
    # Text, not GenericIPAddressField: PostgreSQL's inet type rewrites some addresses on the
    # way back (::ffff:a.b.c.d), and the hash must see exactly what was stored.
    ip_address = models.CharField(_("IPアドレス"), max_length=45, blank=True)
    key_id = models.CharField(_("監査鍵ID"), max_length=64, editable=False)
    previous_hash = models.CharField(_("直前のハッシュ"), max_length=64, editable=False)
    hash = models.CharField(_("ハッシュ"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("監査記録")
        verbose_name_plural = _("監査記録")
        # Newest first across the chains: the id is taken at insert, under the chain's lock.
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_event_chain_place")
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "id"], name="audit_event_object_idx"),
            models.Index(fields=["organisation", "id"], name="audit_event_org_idx"),
            models.Index(fields=["object_organisation", "id"], name="audit_event_object_org_idx"),
            models.Index(fields=["actor", "id"], name="audit_event_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.chain}-{self.sequence} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditAppendOnlyError(ERR_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnlyError(ERR_APPEND_ONLY)


class AuditChainHead(models.Model):
    """The last link of one chain (its pk is the chain's number), locked by each append to it.

    The heads are made as they are needed, one more each time every existing head is held by
    another transaction, up to ``services.CHAINS``.
    """

    sequence = models.PositiveBigIntegerField(_("最後の通し番号"), default=0)
    hash = models.CharField(_("最後のハッシュ"), max_length=64)

    class Meta:
        verbose_name = _("監査記録の末尾")
        verbose_name_plural = _("監査記録の末尾")

    def __str__(self) -> str:
        return f"#{self.pk}-{self.sequence} {self.hash[:12]}"
