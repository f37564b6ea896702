"""Create the key file, add a master key, show the keys' ids, or remove a retired master key."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from advocacy.crypto.exceptions import KeyFileError
from advocacy.crypto.keyring import (
    add_master_key,
    create_key_file,
    load_keyring,
    remove_master_key,
)

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = "Manage the encryption key file (settings.ADVOCACY_KEY_FILE). Never prints keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, help="Key file to use instead of the setting.")
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("init", help="Create a new key file (mode 0600); refuses to overwrite.")
        actions.add_parser("add-master", help="Add a new master key and make it the active one.")
        actions.add_parser("status", help="Show the path, mode and key ids.")
        retire = actions.add_parser(
            "retire-master",
            help="Remove a master key that no live data key uses (after backup retention).",
        )
        retire.add_argument("key_id")
        retire.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation (scripts)."
        )

    def handle(self, *args: Any, action: str, path: Path | None = None, **options: Any) -> None:
        path = Path(path or settings.ADVOCACY_KEY_FILE)
        try:
            getattr(self, "_" + action.replace("-", "_"))(path, **options)
        except KeyFileError as exc:
            raise CommandError(str(exc)) from None

    def _init(self, path: Path, **options: Any) -> None:
        keyring = create_key_file(path)
        self.stdout.write(f"Created {path} with master key {keyring.active_master_id}.")
        self.stdout.write("Back it up now, apart from the database backups.")

    def _add_master(self, path: Path, **options: Any) -> None:
        key_id = add_master_key(path)
        self.stdout.write(f"Added master key {key_id}; it is now the active one.")
        self.stdout.write(
            "Restart (or reload) every app server with this key file, back it up, "
            "then run 'manage.py rotate_master_key'."
        )

    def _status(self, path: Path, **options: Any) -> None:
        keyring = load_keyring(path)
        mode = stat.S_IMODE(os.stat(path).st_mode)
        self.stdout.write(f"Key file: {path} (mode {mode:04o})")
        for key in keyring.master_keys.values():
            marker = "active" if key.id == keyring.active_master_id else "      "
            self.stdout.write(f"  master {marker} {key.id}  created {key.created}")
        self.stdout.write(f"  blind index    {keyring.blind_index_key.id}")
        self.stdout.write(f"  audit          {keyring.audit_key.id}")

    def _retire_master(self, path: Path, *, key_id: str, yes: bool = False, **options: Any) -> None:
        from advocacy.crypto.models import DataKey

        in_use = DataKey.objects.filter(master_key_id=key_id, destroyed_at__isnull=True).count()
        if in_use:
            raise CommandError(
                f"{in_use} live data keys are still wrapped by {key_id}; "
                "run 'manage.py rotate_master_key' first."
            )
        if key_id not in load_keyring(path).master_keys:
            raise CommandError(f"Key file {path} holds no master key {key_id!r}.")
        if not yes:
            # Destroying the key is what makes older backups, and the people erased since
            # they were taken, unreadable for good: it cannot be undone.
            answer = input(
                f"Destroy master key {key_id}? Every database backup whose data keys it "
                "wrapped becomes unreadable for good. Type the key id to continue: "
            )
            if answer.strip() != key_id:
                raise CommandError("Nothing was changed.")
        remove_master_key(path, key_id)
        self.stdout.write(
            f"Removed master key {key_id} from {path}. Replace the key file backups too; "
            "database backups older than this can no longer be decrypted with the new file."
        )
