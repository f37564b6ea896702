"""manage.py import_ledger FILE.xlsx --mapping MAPPING.json --user SUPERVISOR [--dry-run]"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from advocacy.accounts.models import User
from advocacy.ledger import services
from advocacy.ledger.mapping import MappingError, mapping_from_json
from advocacy.ledger.workbook import WorkbookError


class Command(BaseCommand):
    help = (
        "Import an Excel ledger (.xlsx) with a column mapping (JSON), acting as a supervisor. "
        "Every bad row is reported first and nothing is imported until each is fixed or "
        "given with --skip SHEET!ROW (or --same-person SHEET!ROW for a person already "
        "registered). An interrupted import continues where it stopped when run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--mapping", required=True, help="the city's mapping (JSON file)")
        parser.add_argument("--user", required=True, help="the supervisor's user name")
        parser.add_argument("--dry-run", action="store_true", help="check only, import nothing")
        parser.add_argument("--skip", action="append", default=[], metavar="SHEET!ROW")
        parser.add_argument("--same-person", action="append", default=[], metavar="SHEET!ROW")
        parser.add_argument("--batch-size", type=int, default=services.BATCH_SIZE)

    def handle(self, *args, **options):
        try:
            actor = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError("no active user of that name") from None
        try:
            mapping = mapping_from_json(Path(options["mapping"]).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"cannot read the mapping: {error.__class__.__name__}") from None
        except MappingError as error:
            raise CommandError(str(error)) from None
        try:
            # Read into memory: nothing of the workbook is written anywhere.
            data = Path(options["file"]).read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read the workbook: {error.strerror}") from None
        choices = {"skip": options["skip"], "same": options["same_person"]}
        try:
            if options["dry_run"]:
                check = services.ledger_check(actor=actor, data=data, mapping=mapping)
                self._report(check, choices)
                return
            bar = tqdm(total=0, unit="row", desc="import", disable=options["verbosity"] == 0)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                ledger_import, check = services.ledger_import_run(
                    actor=actor,
                    data=data,
                    mapping=mapping,
                    choices=choices,
                    size=options["batch_size"],
                    progress=progress,
                )
            finally:
                bar.close()
        except services.LedgerInvalid as error:
            if error.check is not None:
                self._report(error.check, choices)
            raise CommandError(" ".join(error.messages)) from None
        except (WorkbookError, MappingError) as error:
            raise CommandError(str(error)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"imported: {ledger_import.cases_created} new cases of {ledger_import.rows_total} "
            f"rows ({check.already_imported} were imported before)"
        )

    def _report(self, check: services.Check, choices: dict) -> None:
        unresolved = {issue.key for issue in check.unresolved(choices)}
        for issue in check.issues:
            mark = "!" if issue.key in unresolved else "-"
            same = " [same person? --same-person]" if issue.same_person else ""
            self.stdout.write(
                f"{mark} {issue.sheet} row {issue.row}: {'; '.join(issue.reasons)}{same}"
            )
        self.stdout.write(
            f"rows: {len(check.rows)} readable, {len(check.issues)} reported "
            f"({len(unresolved)} unresolved), {check.already_imported} imported before"
        )
