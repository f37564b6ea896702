"""Set every case's controller from its purpose, in batches, auditing each change; rerunnable."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from advocacy.cases.models import Case
from advocacy.cases.services import case_controllers_correct


class Command(BaseCommand):
    help = (
        "Give each case the controller its purpose implies (core-agency work is the city's, "
        "the Council's own business the Council's). Run once after upgrading; each change is "
        "audited; running it again changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, batch_size: int, no_progress: bool, **options) -> None:
        total = Case.objects.count()
        read = changed = 0
        last = None
        with tqdm(total=total, unit="件", disable=no_progress or not total) as bar:
            while True:
                count, updated, last = case_controllers_correct(after=last, size=batch_size)
                if not count:
                    break
                read += count
                changed += updated
                bar.update(count)
        self.stdout.write(f"Read {read} cases; corrected the controller of {changed}.")
