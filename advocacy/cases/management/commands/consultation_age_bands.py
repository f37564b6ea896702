"""Recompute every consultation's age band from the birth date, in batches; safe to rerun."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from advocacy.cases.models import Consultation
from advocacy.cases.services import consultation_age_bands_refresh_batch


class Command(BaseCommand):
    help = (
        "Set each consultation's age band to the person's age on the consultation day. Run once "
        "after migration cases.0003, which could only copy the band stored on the person."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, batch_size: int, no_progress: bool, **options) -> None:
        total = Consultation.objects.count()
        read = changed = 0
        last = None
        with tqdm(total=total, unit="件", disable=no_progress or not total) as bar:
            while True:
                count, updated, last = consultation_age_bands_refresh_batch(
                    after=last, size=batch_size
                )
                if not count:
                    break
                read += count
                changed += updated
                bar.update(count)
        self.stdout.write(f"Read {read} consultations; corrected the age band of {changed}.")
