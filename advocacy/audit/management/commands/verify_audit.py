"""Check the whole audit chain; exit non-zero at the first event that is not as written."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from advocacy.audit.chain import events_in_order, heads_anchor, known_keys, verify_chain
from advocacy.audit.models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and report the first event that was tampered with."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show a progress bar even when stderr is not a terminal.",
        )

    def handle(self, *args: Any, batch_size: int, progress: bool, **options: Any) -> None:
        heads = list(AuditChainHead.objects.order_by("pk"))
        events = events_in_order(batch_size=batch_size)
        bar = tqdm(
            events,
            total=AuditEvent.objects.count(),
            unit="events",
            file=sys.stderr,
            # None: only on a terminal, so logs and cron mail stay clean.
            disable=None if not progress else False,
        )
        with bar:
            count, problem = verify_chain(bar, heads=heads, keys=known_keys())
        if problem is not None:
            raise CommandError(
                f"Audit chain broken at {problem} ({count} events verified before it)"
            )
        # The heads' digest, kept somewhere outside the database, later shows whether the
        # newest events of a chain (or a whole chain) were removed together with its head.
        anchor = ""
        if heads:
            anchor = f"; {len(heads)} chains, heads {heads_anchor(heads)}"
        self.stdout.write(f"OK {count} events{anchor}")
