from http import HTTPStatus

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_caseworker_logs_in_and_lands_on_the_inbox(client, users_by_role):
    worker = users_by_role["city_caseworker"]

    response = _login(client, worker.username, factories.PASSWORD)

    assert response.status_code == HTTPStatus.FOUND
    assert client.get(response.url, follow=True).request["PATH_INFO"] == "/app/inbox/"


def test_unknown_user_and_wrong_password_get_the_same_error(client, users_by_role):
    worker = users_by_role["city_caseworker"]

    unknown = _login(client, "nobody-here", "whatever-password-1")
    wrong = _login(client, worker.username, "wrong-password-123")

    assert unknown.status_code == wrong.status_code == HTTPStatus.OK
    assert unknown.context["form"].errors == wrong.context["form"].errors
    assert unknown.context["form"].errors  # there is an error
    assert "nobody-here" not in str(unknown.context["form"].errors)


def test_repeated_failures_lock_the_login_even_with_the_right_password(client, users_by_role):
    worker = users_by_role["city_caseworker"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, worker.username, "wrong-password-123")

    response = _login(client, worker.username, factories.PASSWORD)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session
    assert "しばらくの間ログインできません" in response.content.decode()


def test_pages_carry_a_content_security_policy(client):
    response = client.get(reverse("login"))

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_session_expires_after_inactivity_and_cookies_are_http_only():
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    # Renewed on activity, at most once a minute (advocacy.accounts.sessions, decision 105).
    assert "advocacy.accounts.sessions.SessionRenewalMiddleware" in settings.MIDDLEWARE
    assert settings.ADVOCACY_SESSION_RENEW_SECONDS <= 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_passwords_are_hashed_with_argon2(city):
    from django.conf import settings as live_settings

    from advocacy import settings as project_settings

    live_settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    worker = factories.user(organisation=city)

    assert worker.password.startswith("argon2$")


def test_unknown_page_gives_the_plain_404_page(client, users_by_role):
    client.force_login(users_by_role["city_caseworker"])

    response = client.get("/app/no-such-page/12345/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    html = response.content.decode()
    assert "ページが見つかりません" in html
    assert "12345" not in html
    assert "Traceback" not in html


def test_a_server_error_shows_the_plain_500_page_and_reveals_nothing(client, settings):
    settings.ROOT_URLCONF = "tests.shell.urls_boom"
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    html = response.content.decode()
    assert "システムエラー" in html
    assert "secret-internal-detail" not in html
    assert "瀬戸内カナリア" not in html
    assert "Traceback" not in html
