import base64
import json
import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from advocacy.crypto.exceptions import KeyFileError
from advocacy.crypto.keyring import (
    add_master_key,
    create_key_file,
    get_keyring,
    load_keyring,
    remove_master_key,
)
from tests import factories
from tests.crypto.conftest import fresh

REPO = Path(__file__).resolve().parents[2]


def raw_keys(path: Path) -> list[bytes]:
    data = json.loads(path.read_text())
    entries = [*data["master_keys"], data["blind_index_key"], data["audit_key"]]
    return [base64.b64decode(e["key"]) for e in entries]


def test_create_key_file_is_private_and_holds_separate_256_bit_keys(tmp_path):
    path = tmp_path / "a" / "b" / "keys.json"

    keyring = create_key_file(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    keys = raw_keys(path)
    assert all(len(k) == 32 for k in keys)
    assert len(set(keys)) == 3
    assert load_keyring(path).active_master_id == keyring.active_master_id


def test_create_refuses_to_overwrite(tmp_path):
    path = tmp_path / "keys.json"
    create_key_file(path)
    before = path.read_bytes()

    with pytest.raises(KeyFileError, match="already exists"):
        create_key_file(path)

    assert path.read_bytes() == before


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_key_file_readable_by_others_is_refused(tmp_path, mode):
    path = tmp_path / "keys.json"
    create_key_file(path)
    os.chmod(path, mode)

    with pytest.raises(KeyFileError, match="chmod 600"):
        load_keyring(path)


def test_reprs_and_errors_carry_no_key_material(tmp_path):
    path = tmp_path / "keys.json"
    keyring = create_key_file(path)
    secrets = raw_keys(path)
    encoded = [base64.b64encode(k).decode() for k in secrets]

    shown = repr(keyring) + str(keyring) + repr(keyring.audit_key) + repr(keyring.active_master)

    assert not any(e in shown or repr(k) in shown for e, k in zip(encoded, secrets, strict=True))
    assert keyring.active_master_id in shown


def test_malformed_key_is_refused_without_quoting_it(tmp_path):
    path = tmp_path / "keys.json"
    create_key_file(path)
    data = json.loads(path.read_text())
    data["master_keys"][0]["key"] = base64.b64encode(b"short-secret-16b").decode()
    path.write_text(json.dumps(data))

    with pytest.raises(KeyFileError, match="must be 256 bits") as info:
        load_keyring(path)

    assert "short-secret" not in str(info.value)


def test_active_key_must_exist(tmp_path):
    path = tmp_path / "keys.json"
    create_key_file(path)
    data = json.loads(path.read_text())
    data["active_master_key"] = "m-nope"
    path.write_text(json.dumps(data))

    with pytest.raises(KeyFileError, match="active_master_key"):
        load_keyring(path)


def test_add_master_key_activates_it_and_keeps_the_old_one(tmp_path):
    path = tmp_path / "keys.json"
    first = create_key_file(path).active_master_id

    second = add_master_key(path)

    keyring = load_keyring(path)
    assert keyring.active_master_id == second != first
    assert set(keyring.master_keys) == {first, second}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_active_master_key_cannot_be_removed(tmp_path):
    path = tmp_path / "keys.json"
    first = create_key_file(path).active_master_id
    second = add_master_key(path)

    with pytest.raises(KeyFileError, match="active"):
        remove_master_key(path, second)
    remove_master_key(path, first)

    assert list(load_keyring(path).master_keys) == [second]


def test_keyring_reloads_when_the_setting_changes(tmp_path, settings):
    other = tmp_path / "other.json"
    expected = create_key_file(other).active_master_id
    before = get_keyring().active_master_id

    settings.ADVOCACY_KEY_FILE = other

    assert get_keyring().active_master_id == expected != before
    assert get_keyring().audit_key.id.startswith("a-")


def test_startup_without_key_file_fails_clearly(tmp_path, settings):
    settings.ADVOCACY_KEY_FILE = tmp_path / "missing.json"
    settings.ADVOCACY_KEY_FILE_AUTOCREATE = False

    with pytest.raises(ImproperlyConfigured, match="does not exist.*crypto_keys init"):
        apps.get_app_config("crypto").ready()


def test_startup_with_autocreate_creates_a_private_key_file(tmp_path, settings):
    path = tmp_path / "new" / "dir" / "keys.json"
    settings.ADVOCACY_KEY_FILE = path
    settings.ADVOCACY_KEY_FILE_AUTOCREATE = True

    apps.get_app_config("crypto").ready()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert get_keyring().path == path


def test_startup_with_open_key_file_fails(tmp_path, settings):
    path = tmp_path / "keys.json"
    create_key_file(path)
    os.chmod(path, 0o644)
    settings.ADVOCACY_KEY_FILE = path

    with pytest.raises(ImproperlyConfigured, match="group or others"):
        apps.get_app_config("crypto").ready()


def _manage(*args: str, key_file: Path, autocreate: str = "0") -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ADVOCACY_KEY_FILE": str(key_file),
        "ADVOCACY_KEY_FILE_AUTOCREATE": autocreate,
        "DJANGO_SECRET_KEY": "insecure-test-only-secret-key-0123456789abcdefghij",
    }
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manage_py_without_key_file_stops_with_one_clear_line(tmp_path):
    result = _manage("check", key_file=tmp_path / "missing.json")

    assert result.returncode != 0
    assert "Configuration error: Key file" in result.stderr
    assert "Traceback" not in result.stderr


def test_crypto_keys_init_runs_without_a_key_file_then_status_shows_ids_only(tmp_path):
    path = tmp_path / "keys.json"

    init = _manage("crypto_keys", "init", key_file=path)
    status = _manage("crypto_keys", "status", key_file=path)

    assert init.returncode == 0, init.stderr
    assert status.returncode == 0, status.stderr
    keyring = load_keyring(path)
    assert keyring.active_master_id in status.stdout
    for secret in raw_keys(path):
        assert base64.b64encode(secret).decode() not in init.stdout + status.stdout


def test_crypto_keys_commands(key_file):
    out = StringIO()
    first = get_keyring().active_master_id

    call_command("crypto_keys", "add-master", stdout=out)
    call_command("crypto_keys", "status", stdout=out)

    second = get_keyring().active_master_id
    assert second != first
    assert f"active {second}" in out.getvalue()
    with pytest.raises(CommandError, match="already exists"):
        call_command("crypto_keys", "init")


@pytest.mark.django_db
def test_retire_refuses_a_master_key_still_in_use(key_file):
    first = get_keyring().active_master_id
    owner = factories.owner()
    add_master_key(key_file)

    with pytest.raises(CommandError, match="still wrapped"):
        call_command("crypto_keys", "retire-master", first)
    call_command("rotate_master_key", "--no-progress", stdout=StringIO())
    call_command("crypto_keys", "retire-master", first, "--yes", stdout=StringIO())

    assert first not in load_keyring(key_file).master_keys
    assert fresh(owner).name == "山田 太郎"


@pytest.mark.django_db
def test_retire_asks_for_the_key_id_before_destroying_it(key_file, monkeypatch):
    first = get_keyring().active_master_id
    add_master_key(key_file)
    call_command("rotate_master_key", "--no-progress", stdout=StringIO())

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("crypto_keys", "retire-master", first, stdout=StringIO())
    assert first in load_keyring(key_file).master_keys

    monkeypatch.setattr("builtins.input", lambda prompt: first)
    call_command("crypto_keys", "retire-master", first, stdout=StringIO())
    assert first not in load_keyring(key_file).master_keys


def test_settings_point_at_an_autocreated_test_key_file():
    assert Path(settings.ADVOCACY_KEY_FILE).is_file()
    assert stat.S_IMODE(Path(settings.ADVOCACY_KEY_FILE).stat().st_mode) == 0o600
