"""A person-like owner and a record-like child, encrypted; and a plain twin for benchmarks."""

from __future__ import annotations

import uuid

from django.db import models

from advocacy.crypto.blind_index import BlindIndexField
from advocacy.crypto.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedDecimalField,
    EncryptedIntegerField,
    EncryptedJSONField,
    EncryptedTextField,
)
from advocacy.crypto.prefetch import EncryptedManager


class Owner(models.Model):
    """Stands for a person (本人): encrypted with its own data key."""

    encryption_owner = "pk"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = EncryptedCharField("氏名", max_length=100)
    kana = EncryptedCharField("ふりがな", max_length=100, blank=True)
    birth_date = EncryptedDateField("生年月日", null=True, blank=True)
    area = models.CharField("地域", max_length=20, blank=True)
    kana_index = BlindIndexField(sources=["kana"])
    dup_index = BlindIndexField(sources=["kana", "birth_date"])

    objects = EncryptedManager()

    def __str__(self) -> str:
        return str(self.pk)


class Record(models.Model):
    """Stands for a consultation record: encrypted under its owner's data key."""

    encryption_owner = "owner_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="records")
    text = EncryptedTextField("内容", blank=True, null=True, max_length=2000)
    day = EncryptedDateField("日付", null=True, blank=True)
    amount = EncryptedDecimalField("金額", max_digits=12, decimal_places=2, null=True, blank=True)
    count = EncryptedIntegerField("回数", null=True, blank=True)
    data = EncryptedJSONField("詳細", null=True, blank=True)
    note = EncryptedTextField("メモ", blank=True, null=True)
    stage = models.CharField("段階", max_length=20, default="open")

    objects = EncryptedManager()

    def __str__(self) -> str:
        return str(self.pk)


class PlainRecord(models.Model):
    """The same columns as Record, unencrypted, to measure what encryption costs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="plain_records")
    text = models.TextField(blank=True)
    day = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    count = models.IntegerField(null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    stage = models.CharField(max_length=20, default="open")

    def __str__(self) -> str:
        return str(self.pk)
