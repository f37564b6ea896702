"""Recompute every blind index, after ADVOCACY_BLIND_INDEX_BITS or the index key changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from advocacy.crypto import registry
from advocacy.crypto.erased import ERASED
from advocacy.crypto.keycache import key_cache
from advocacy.crypto.prefetch import prefetch_data_keys

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = "Recompute the blind indexes of every encrypted model in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, batch_size: int, no_progress: bool, **options: Any) -> None:
        for model in registry.encrypted_models():
            indexes = registry.blind_index_fields(model)
            if not indexes:
                continue
            pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
            label = model._meta.label
            for start in tqdm(range(0, len(pks), batch_size), desc=label, disable=no_progress):
                with key_cache(), transaction.atomic():
                    rows = list(
                        model._base_manager.select_for_update().filter(
                            pk__in=pks[start : start + batch_size]
                        )
                    )
                    prefetch_data_keys(rows)
                    for row in rows:
                        for index in indexes:
                            values = [getattr(row, name) for name in index.sources]
                            if any(v is ERASED for v in values):
                                value = None
                            else:
                                value = index.compute(values)
                            setattr(row, index.attname, value)
                    model._base_manager.bulk_update(rows, [i.attname for i in indexes])
            self.stdout.write(f"{label}: {len(pks)} rows re-indexed.")
