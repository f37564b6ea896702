"""Start-up refuses unsafe or broken configuration with one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    full_env.update(env)
    return subprocess.run(  # noqa: S603 - fixed argv, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_missing_secret_key_with_debug_off_stops_start_up():
    result = _manage("check", DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url", ["bogus://somewhere/db", "not a url", "mysql://root@localhost/x"])
def test_a_wrong_database_url_gives_one_line_naming_the_variable(url):
    result = _manage("check", DJANGO_DEBUG="1", DATABASE_URL=url)

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert url not in result.stderr  # the URL may hold a password


def test_production_settings_pass_the_deploy_checks(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 20 + "-production-like-secret-key-for-the-deploy-check-9f8e7d",
        DJANGO_ALLOWED_HOSTS="advocacy.example.jp",
        ADVOCACY_KEY_FILE=str(tmp_path / "keys.json"),
        ADVOCACY_KEY_FILE_AUTOCREATE="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_EMAIL_HOST="mail.example.jp",
        DJANGO_DEFAULT_FROM_EMAIL="advocacy@example.jp",
    )

    assert result.returncode == 0, result.stderr


def _production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-like-secret-key-for-start-up-checks-1a2b",
        "ADVOCACY_KEY_FILE": str(tmp_path / "keys.json"),
        "ADVOCACY_KEY_FILE_AUTOCREATE": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_EMAIL_HOST": "mail.example.jp",
        "DJANGO_DEFAULT_FROM_EMAIL": "advocacy@example.jp",
    }


@pytest.mark.parametrize("missing", ["DJANGO_EMAIL_HOST", "DJANGO_DEFAULT_FROM_EMAIL"])
def test_a_missing_mail_setting_with_debug_off_stops_start_up_with_one_line(tmp_path, missing):
    env = _production_env(tmp_path)
    del env[missing]

    result = _manage("check", **env)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert missing in result.stderr


def test_mail_settings_come_from_the_environment(tmp_path):
    env = _production_env(tmp_path) | {
        "DJANGO_EMAIL_PORT": "465",
        "DJANGO_EMAIL_USER": "advocacy-mailer",
        "DJANGO_EMAIL_PASSWORD": "mailer-password-not-real",
        "DJANGO_EMAIL_STARTTLS": "0",
        "DJANGO_EMAIL_TLS": "1",
    }
    code = (
        "from django.conf import settings as s; print(s.EMAIL_HOST, s.EMAIL_PORT, "
        "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, "
        "s.DEFAULT_FROM_EMAIL)"
    )

    result = _manage("shell", "-c", code, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "mail.example.jp",
        "465",
        "advocacy-mailer",
        "mailer-password-not-real",
        "False",
        "True",
        "advocacy@example.jp",
    ]


def test_starttls_and_tls_at_once_stop_start_up(tmp_path):
    env = _production_env(tmp_path) | {"DJANGO_EMAIL_STARTTLS": "1", "DJANGO_EMAIL_TLS": "1"}

    result = _manage("check", **env)

    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "DJANGO_EMAIL_TLS" in result.stderr


def test_a_sqlite_file_in_a_missing_folder_stops_with_one_line_naming_database_url(tmp_path):
    folder = tmp_path / "no-such-folder"
    env = _production_env(tmp_path) | {"DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"}

    result = _manage("migrate", "--noinput", **env)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "DATABASE_URL" in result.stderr
    assert not folder.exists()


def test_the_default_sqlite_folder_is_created(tmp_path):
    # A copy of the project whose var/ does not exist yet, as on a fresh clone with the key
    # file kept elsewhere: the default database's folder is made, not left to SQLite to fail.
    import shutil

    copy = tmp_path / "project"
    shutil.copytree(
        ROOT / "advocacy", copy / "advocacy", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        ROOT / "workflows", copy / "workflows", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "templates", copy / "templates")
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env |= {
        "DJANGO_DEBUG": "1",
        "ADVOCACY_KEY_FILE": str(tmp_path / "elsewhere" / "keys.json"),
        "ADVOCACY_KEY_FILE_AUTOCREATE": "1",
        "ADVOCACY_TEST_APPS": "0",
    }

    result = subprocess.run(  # noqa: S603 - fixed argv, a copy of our own manage.py
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert (copy / "var" / "db.sqlite3").exists()
