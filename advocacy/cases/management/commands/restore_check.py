"""After a restore: the audit chain holds, and persons decrypt with the key file at hand."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.cases.models import Person
from advocacy.crypto.erased import ERASED
from advocacy.crypto.exceptions import DecryptionError
from advocacy.crypto.keycache import key_cache


def person_state(person: Person) -> str:
    """readable, erased (data key destroyed) or unreadable (e.g. its master key is gone)."""
    try:
        value = person.name
    except DecryptionError as exc:
        return f"unreadable ({exc.reason})"
    return "erased" if value is ERASED else "readable"


class Command(BaseCommand):
    help = (
        "Check a restored database: verify_audit, then decrypt a sample of persons (and any "
        "named with --person). Prints states and counts, never a value."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sample", type=int, default=20, help="Persons to decrypt.")
        parser.add_argument(
            "--person",
            type=uuid.UUID,
            action="append",
            default=[],
            help="A person's id whose state to print (repeatable).",
        )
        parser.add_argument(
            "--expect",
            choices=["readable", "erased", "unreadable"],
            help="Fail unless every --person is in this state.",
        )

    def handle(
        self, *args: Any, sample: int, person: list[uuid.UUID], expect: str | None, **options: Any
    ) -> None:
        call_command("verify_audit", stdout=self.stdout)
        with key_cache():
            counts: dict[str, int] = {}
            for each in Person.objects.filter(erased_at__isnull=True).order_by("pk")[:sample]:
                state = person_state(each).split(" ")[0]
                counts[state] = counts.get(state, 0) + 1
            self.stdout.write(
                f"Sample of {sum(counts.values())} persons: "
                + ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
            )
            if counts.get("unreadable"):
                raise CommandError("Some persons of the sample do not decrypt with this key file.")
            for person_id in person:
                found = Person.objects.filter(pk=person_id).first()
                state = person_state(found) if found is not None else "missing"
                self.stdout.write(f"Person {person_id}: {state}")
                if expect and state.split(" ")[0] != expect:
                    raise CommandError(f"Person {person_id} is {state}, expected {expect}.")
