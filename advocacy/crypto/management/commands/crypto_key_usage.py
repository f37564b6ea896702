"""Report which master keys and data-key generations are still in use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand

from advocacy.crypto import selectors

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = "Show live data keys per master key id and per generation (no key material)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scan-values",
            action="store_true",
            help="Also read every stored value's header and count generations per column.",
        )

    def handle(self, *args: Any, scan_values: bool = False, **options: Any) -> None:
        usage = selectors.key_usage()
        self.stdout.write("Live data keys by master key:")
        for key_id in usage.key_file_master_ids:
            marker = "active" if key_id == usage.active_master_id else "      "
            self.stdout.write(f"  {marker} {key_id}: {usage.by_master.get(key_id, 0)}")
        for key_id in usage.unknown_master_ids:
            self.stdout.write(f"  MISSING FROM KEY FILE {key_id}: {usage.by_master[key_id]}")
        self.stdout.write("Live data keys by generation:")
        for generation, count in usage.by_generation.items():
            self.stdout.write(f"  generation {generation}: {count}")
        self.stdout.write(
            f"Destroyed data keys (tombstones): {usage.destroyed}; "
            f"erased owners: {usage.erased_owners}"
        )
        retired = [k for k in usage.unused_master_ids if k != usage.active_master_id]
        if retired:
            self.stdout.write(
                "Master keys no live data key uses (remove them with 'crypto_keys "
                f"retire-master' once the backup retention period has passed): {retired}"
            )
        elif len(usage.key_file_master_ids) > 1:
            self.stdout.write("Older master keys are still in use: run rotate_master_key.")
        if scan_values:
            scan = selectors.scan_values()
            self.stdout.write(f"Stored values by column and generation ({scan.values} values):")
            for (label, name), counts in sorted(scan.by_generation.items()):
                parts = ", ".join(f"gen {g}: {n}" for g, n in sorted(counts.items()))
                self.stdout.write(f"  {label}.{name}: {parts}")
