"""Reset one user's second factor from the server's console (the last system administrator)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from advocacy.accounts.models import User
from advocacy.accounts.services import second_factor_reset


class Command(BaseCommand):
    help = (
        "Delete a user's TOTP devices so that they enrol again at their next page. For when no "
        "system administrator can log in to do it in the admin. Audited, with no actor."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, username: str, yes: bool, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not yes:
            answer = input(f"Reset the second factor of {username}? Type 'yes' to continue: ")
            if answer.strip() != "yes":
                raise CommandError("Nothing was changed.")
        deleted = second_factor_reset(actor=None, user=user)
        self.stdout.write(
            f"Deleted {deleted} device(s) of {username}; they enrol again at their next page."
        )
