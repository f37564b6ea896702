"""Restoring: a database that holds data is refused; restore_check reports each person's state."""

from __future__ import annotations

import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from advocacy.accounts.roles import Role
from advocacy.cases.services import person_erase
from advocacy.crypto.keyring import (
    add_master_key,
    get_keyring,
    remove_master_key,
    reset_keyring,
)
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _table_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ops/restore is for PostgreSQL")
def test_a_restore_into_a_database_that_holds_data_is_refused_with_one_line(tmp_path):
    backup = tmp_path / "backup.dump"
    backup.write_bytes(b"PGDMP not really a dump")
    target = connection.settings_dict
    url = f"postgres://{target['USER']}@{target['HOST']}:{target['PORT']}/{target['NAME']}"
    tables = _table_count()

    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [str(ROOT / "ops" / "restore"), str(backup), url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("PG")},
    )

    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Refusing to restore: the target database already holds")
    assert "nothing was changed" in line
    assert _table_count() == tables


def _erasable_case(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    return factories.case_for(worker)


def test_restore_check_tells_readable_erased_and_unreadable_apart(city, settings, tmp_path):
    supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    kept, erased = _erasable_case(city), _erasable_case(city)
    person_erase(actor=supervisor, case=erased, reason="保存期間満了")

    out = StringIO()
    call_command(
        "restore_check",
        "--person",
        str(kept.person_id),
        "--person",
        str(erased.person_id),
        stdout=out,
    )
    assert f"Person {kept.person_id}: readable" in out.getvalue()
    assert f"Person {erased.person_id}: erased" in out.getvalue()
    assert "Sample of 1 persons: 1 readable" in out.getvalue()

    # The same key file after a rotation whose old master key was destroyed: the database
    # (as restored from a backup of before the rotation) still names the old key.
    old_master = get_keyring().active_master_id
    later = tmp_path / "later" / "keys.json"
    later.parent.mkdir(mode=0o700)
    shutil.copy(settings.ADVOCACY_KEY_FILE, later)
    add_master_key(later)
    remove_master_key(later, old_master)
    settings.ADVOCACY_KEY_FILE = later
    reset_keyring()
    try:
        out = StringIO()
        with pytest.raises(CommandError, match="expected readable"):
            call_command(
                "restore_check",
                "--sample",
                "0",
                "--person",
                str(kept.person_id),
                "--expect",
                "readable",
                stdout=out,
            )
        assert f"Person {kept.person_id}: unreadable (unknown_master_key)" in out.getvalue()
        with pytest.raises(CommandError, match="do not decrypt"):
            call_command("restore_check", stdout=StringIO())
    finally:
        reset_keyring()
