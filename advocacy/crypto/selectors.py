"""Reads about keys: which master keys and data-key generations are still in use."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from . import registry
from .envelope import generation_of
from .fields import Ciphertext
from .keyring import get_keyring
from .models import DataKey


@dataclass
class KeyUsage:
    """Counts of live data keys by master key id and by generation."""

    active_master_id: str
    key_file_master_ids: list[str]
    by_master: dict[str, int]
    by_generation: dict[int, int]
    destroyed: int
    erased_owners: int

    @property
    def unused_master_ids(self) -> list[str]:
        return [k for k in self.key_file_master_ids if k not in self.by_master]

    @property
    def unknown_master_ids(self) -> list[str]:
        return [k for k in self.by_master if k not in self.key_file_master_ids]


def key_usage() -> KeyUsage:
    """Return which master keys and generations live data keys use."""
    keyring = get_keyring()
    live = DataKey.objects.filter(destroyed_at__isnull=True)
    by_master = dict(
        live.values_list("master_key_id").annotate(n=Count("pk")).order_by("master_key_id")
    )
    by_generation = dict(
        live.values_list("generation").annotate(n=Count("pk")).order_by("generation")
    )
    destroyed = DataKey.objects.filter(destroyed_at__isnull=False)
    erased_owners = (
        destroyed.exclude(owner_id__in=live.values("owner_id"))
        .values("owner_id")
        .distinct()
        .count()
    )
    return KeyUsage(
        active_master_id=keyring.active_master_id,
        key_file_master_ids=list(keyring.master_keys),
        by_master=by_master,
        by_generation=by_generation,
        destroyed=destroyed.count(),
        erased_owners=erased_owners,
    )


@dataclass
class ValueScan:
    """Stored values by (model label, field name) and data-key generation."""

    by_generation: dict[tuple[str, str], Counter[int]] = field(default_factory=dict)
    values: int = 0


def scan_values(chunk_size: int = 2000) -> ValueScan:
    """Read every stored envelope header (no decryption) and count generations per column."""
    scan = ValueScan()
    for model in registry.encrypted_models():
        fields = registry.encrypted_fields(model)
        rows = model._base_manager.values_list(*(f.attname for f in fields))
        for values in rows.iterator(chunk_size=chunk_size):
            for field_, stored in zip(fields, values, strict=True):
                if type(stored) is Ciphertext:
                    key = (model._meta.label, field_.name)
                    scan.by_generation.setdefault(key, Counter())[generation_of(stored.blob)] += 1
                    scan.values += 1
    return scan
