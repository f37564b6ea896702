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
    )

    assert result.returncode == 0, result.stderr
