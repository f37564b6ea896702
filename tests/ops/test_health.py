"""The health endpoint answers the server's own monitoring and no one else."""

from http import HTTPStatus

import pytest
from django.test import override_settings

from advocacy import health

pytestmark = pytest.mark.django_db

TEXT = {"HTTP_ACCEPT": "text/plain"}


def test_loopback_gets_every_check_ok(client):
    response = client.get("/health/", REMOTE_ADDR="127.0.0.1", **TEXT)

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    for check in ("Database", "MigrationsApplied", "KeyFileReadable", "MailSettingsPresent"):
        assert f"{check}" in body
    assert "unavailable" not in body.lower()


@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        {"REMOTE_ADDR": "10.1.2.3"},
        # Through the reverse proxy the address is the proxy's own loopback: still outside.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.9"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_FORWARDED": "for=203.0.113.9"},
        {"REMOTE_ADDR": ""},
    ],
)
def test_anyone_else_gets_the_ordinary_404(client, meta):
    response = client.get("/health/", **meta, **TEXT)
    unknown = client.get("/no-such-page/", **meta, **TEXT)

    assert response.status_code == HTTPStatus.NOT_FOUND
    # The same page as for a URL that does not exist: nothing says a health page is here.
    assert response.content == unknown.content
    for word in (b"Database", b"KeyFile", b"Mail", b"Migrations", b"OK"):
        assert word not in response.content


@override_settings(ADVOCACY_HEALTH_ALLOWED=["192.0.2.0/24"])
def test_a_configured_network_is_answered(client):
    assert client.get("/health/", REMOTE_ADDR="192.0.2.17", **TEXT).status_code == HTTPStatus.OK
    assert client.get("/health/", REMOTE_ADDR="127.0.0.1", **TEXT).status_code == 404


def test_an_unreadable_key_file_fails_the_check_without_naming_the_path(client, settings, tmp_path):
    missing = tmp_path / "secret-folder-name" / "keys.json"
    settings.ADVOCACY_KEY_FILE = missing

    response = client.get("/health/", REMOTE_ADDR="127.0.0.1", **TEXT)

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "KeyFileReadable(): Unavailable: key file missing" in response.content.decode()
    assert "secret-folder-name" not in response.content.decode()


def test_missing_mail_settings_fail_the_check(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""

    response = client.get("/health/", REMOTE_ADDR="127.0.0.1", **TEXT)

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "MailSettingsPresent(): Unavailable: no SMTP host" in response.content.decode()


def test_an_unapplied_migration_fails_the_check(monkeypatch):
    class OnePending:
        def __init__(self, connection):
            self.loader = type("L", (), {"graph": type("G", (), {"leaf_nodes": list})()})()

        def migration_plan(self, targets):
            return [("cases", "9999_future")]

    monkeypatch.setattr(health, "MigrationExecutor", OnePending)

    with pytest.raises(health.ServiceUnavailable, match="1 migrations not applied"):
        health.MigrationsApplied().run()


def test_the_migration_check_passes_on_the_migrated_test_database():
    health.MigrationsApplied().run()
