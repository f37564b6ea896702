"""Re-encrypt one person's values under a new data key and destroy the old one."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError

from advocacy.crypto.exceptions import OwnerErasedError
from advocacy.crypto.services import person_reencrypt

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = "Re-encrypt all encrypted values of one owner (person UUID) under a fresh data key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("owner_id", type=uuid.UUID)

    def handle(self, *args: Any, owner_id: uuid.UUID, **options: Any) -> None:
        try:
            result = person_reencrypt(owner_id=owner_id)
        except OwnerErasedError as exc:
            raise CommandError(str(exc)) from None
        if not result.new_generation:
            self.stdout.write(f"Owner {owner_id} has no data key; nothing to do.")
            return
        self.stdout.write(
            f"Re-encrypted {result.values} values of {owner_id} under generation "
            f"{result.new_generation}; destroyed generations {result.destroyed_generations}."
        )
