"""Re-wrap every data key under the active master key, in small batches; rerun to resume."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from advocacy.crypto.keyring import get_keyring
from advocacy.crypto.services import datakeys_rewrap_batch, datakeys_to_rewrap

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = (
        "Re-wrap data keys still under an older master key with the active one. Each batch is "
        "its own transaction and locks only its rows; safe to interrupt and rerun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, batch_size: int, no_progress: bool, **options: Any) -> None:
        active = get_keyring().active_master_id
        total = datakeys_to_rewrap().count()
        self.stdout.write(f"Active master key {active}; {total} data keys to re-wrap.")
        done = last_pk = 0
        with tqdm(total=total, unit="key", disable=no_progress or not total) as bar:
            while True:
                count, last_pk = datakeys_rewrap_batch(batch_size=batch_size, after_pk=last_pk)
                if not count:
                    break
                done += count
                bar.update(count)
        left = datakeys_to_rewrap().count()
        self.stdout.write(f"Re-wrapped {done} data keys.")
        if left:
            self.stdout.write(
                f"{left} data keys are locked by another worker or were just created under "
                "an older key file; run this command again."
            )
        else:
            self.stdout.write("Every live data key is under the active master key.")
