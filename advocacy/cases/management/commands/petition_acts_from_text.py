"""Match the rulings' powers recorded as words to the scheme's acts, in batches; rerunnable."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from advocacy.cases.services import petition_powers_map


class Command(BaseCommand):
    help = (
        "Give each ruling the acts (付与された権限) its recorded words name, from the list of "
        "the scheme in force on the ruling day; words naming no act stay as the record's "
        "移行前の記述. Run once after upgrading; each change is audited; running it again "
        "changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, batch_size: int, **options) -> None:
        read = changed = 0
        last = None
        while True:
            count, updated, last = petition_powers_map(after=last, size=batch_size)
            if not count:
                break
            read += count
            changed += updated
        self.stdout.write(f"Read {read} petitions; mapped the recorded powers of {changed}.")
