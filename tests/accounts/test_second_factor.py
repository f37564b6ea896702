"""The second factor, asked for on every URL by one middleware: who, where, and back again."""

from __future__ import annotations

import base64
import importlib.util
import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from tests import factories
from tests.portal.otp import force_login_verified, token_for

pytestmark = pytest.mark.django_db

STAFF = ["city_caseworker", "city_supervisor"]
ENROL = "/accounts/otp/enrol/"
VERIFY = "/accounts/otp/"


@pytest.fixture
def staff_otp(settings):
    settings.ADVOCACY_OTP_FOR_STAFF = True


def _password_login(user) -> Client:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND
    return client


def _enrol(client: Client, user, next_url: str) -> None:
    """Enrol from the QR page with the code an authenticator app would show."""
    page = client.get(f"{ENROL}?next={next_url}")
    assert page.status_code == HTTPStatus.OK
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"token": token_for(device), "next": next_url})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == next_url
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.parametrize("role", STAFF)
def test_staff_with_the_setting_on_enrol_then_reach_their_pages(users_by_role, staff_otp, role):
    user = users_by_role[role]
    case = factories.case_for(users_by_role["city_caseworker"])
    pages = ["/app/inbox/", "/app/cases/", f"/app/cases/{case.pk}/"]
    client = _password_login(user)

    for page in pages:
        response = client.get(page)
        assert response.status_code == HTTPStatus.FOUND, page
        assert response.url.startswith(ENROL + "?next="), page
    assert not AuditEvent.objects.filter(action=Action.CASE_VIEWED).exists()

    _enrol(client, user, pages[2])

    for page in pages:
        assert client.get(page).status_code == HTTPStatus.OK, page
    assert AuditEvent.objects.filter(action=Action.CASE_VIEWED, actor=user).exists()


def test_staff_with_a_device_are_asked_for_a_code_not_to_enrol(users_by_role, staff_otp):
    worker = users_by_role["city_caseworker"]
    device = TOTPDevice.objects.create(user=worker, name="app", confirmed=True)
    client = _password_login(worker)

    response = client.get("/app/inbox/")
    assert response.url == f"{VERIFY}?next=%2Fapp%2Finbox%2F"
    # Enrolling a second device from a session is refused: it goes to verification.
    assert client.get(ENROL).url == VERIFY

    response = client.post(response.url, {"token": token_for(device)})
    assert response.url == "/app/inbox/"
    assert client.get("/app/inbox/").status_code == HTTPStatus.OK


@pytest.mark.parametrize("role", [*STAFF, "council_caseworker", "council_supervisor"])
def test_staff_with_the_setting_off_are_not_asked(users_by_role, role):
    client = _password_login(users_by_role[role])

    assert client.get("/app/inbox/").status_code == HTTPStatus.OK
    assert client.get("/app/cases/").status_code == HTTPStatus.OK
    # Nothing to do on the second-factor pages either: they send the user on.
    assert client.get(f"{VERIFY}?next=/app/cases/").url == "/app/cases/"


@pytest.mark.parametrize(
    ("role", "home"), [("committee_member", "/app/stats/"), ("system_admin", "/admin/")]
)
def test_committee_members_and_system_admins_are_asked_too(users_by_role, staff_otp, role, home):
    user = users_by_role[role]
    client = _password_login(user)

    response = client.get(home)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(ENROL + "?next=")

    _enrol(client, user, home)
    assert client.get(home).status_code == HTTPStatus.OK


def test_the_setting_off_leaves_committee_members_and_system_admins_alone(users_by_role):
    assert _password_login(users_by_role["committee_member"]).get("/app/stats/").status_code == (
        HTTPStatus.OK
    )
    assert _password_login(users_by_role["system_admin"]).get("/admin/").status_code == (
        HTTPStatus.OK
    )


def _portal_urls() -> list[str]:
    """Every URL under /app/portal/, with a placeholder in each parameter."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("app/portal/"):
                found.append(
                    "/" + re.sub(r"<[^>]+>", "00000000-0000-0000-0000-000000000000", route)
                )

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_the_walk_finds_the_portal_urls():
    urls = _portal_urls()
    assert "/app/portal/" in urls
    assert any(url.startswith("/app/portal/requests/") for url in urls)
    assert any(url.startswith("/app/portal/staff/cases/") for url in urls)
    # The second-factor pages left the portal application for /accounts/otp/.
    assert not any("otp" in url for url in urls)


@pytest.mark.parametrize("page", _portal_urls() + ["/", "/app/inbox/", "/app/cases/", "/audit/"])
def test_an_unverified_professional_is_sent_to_enrol_from_every_page(users_by_role, page):
    client = Client()
    client.force_login(users_by_role["professional"])

    for method in (client.get, client.post):
        response = method(page)
        assert response.status_code == HTTPStatus.FOUND, page
        assert response.url.startswith(ENROL), page


def test_a_professional_enrols_and_lands_where_they_were_going(users_by_role):
    pro = users_by_role["professional"]
    client = _password_login(pro)

    assert client.get("/app/portal/").url == f"{ENROL}?next=%2Fapp%2Fportal%2F"
    _enrol(client, pro, "/app/portal/")
    assert client.get("/app/portal/").status_code == HTTPStatus.OK


def test_a_wrong_code_is_refused_and_audited(users_by_role):
    pro = users_by_role["professional"]
    TOTPDevice.objects.create(user=pro, name="app", confirmed=True)
    client = _password_login(pro)

    response = client.post(VERIFY, {"token": "000000"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, actor=pro, label="otp").exists()
    assert client.get("/app/portal/").status_code == HTTPStatus.FOUND


def test_the_second_factor_pages_and_logout_answer_an_unverified_user(users_by_role):
    pro = users_by_role["professional"]
    client = _password_login(pro)

    assert client.get(ENROL).status_code == HTTPStatus.OK
    TOTPDevice.objects.filter(user=pro).update(confirmed=True)
    assert client.get(VERIFY).status_code == HTTPStatus.OK
    assert client.get("/jsi18n/").status_code == HTTPStatus.OK

    response = client.post("/accounts/logout/")

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_anonymous_users_are_sent_to_log_in_from_the_second_factor_pages(client):
    for page in (VERIFY, ENROL):
        response = client.get(page)
        assert response.status_code == HTTPStatus.FOUND
        assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/x",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(users_by_role, next_url):
    pro = users_by_role["professional"]
    device = TOTPDevice.objects.create(user=pro, name="app", confirmed=True)
    client = _password_login(pro)

    response = client.post(f"{VERIFY}?next={next_url}", {"token": token_for(device)})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/"
    # And a verified user sent to the page with a foreign next goes home as well.
    assert client.get(VERIFY, {"next": next_url}).url == "/"


def test_a_verified_session_is_not_asked_again(users_by_role, settings):
    settings.ADVOCACY_OTP_FOR_STAFF = True
    client = force_login_verified(Client(), users_by_role["city_caseworker"])

    assert client.get("/app/inbox/").status_code == HTTPStatus.OK
    assert client.get(VERIFY).url == "/"


def _settings_module(monkeypatch, **env: str):
    """A fresh copy of advocacy/settings.py run under env (django.conf.settings is untouched)."""
    monkeypatch.delenv("ADVOCACY_OTP_FOR_STAFF", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    path = Path(__file__).resolve().parents[2] / "advocacy" / "settings.py"
    spec = importlib.util.spec_from_file_location("settings_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DJANGO_DEBUG": "0"}, True),  # production: on unless turned off
        ({"DJANGO_DEBUG": "1"}, False),  # the demo
        ({"DJANGO_DEBUG": "0", "ADVOCACY_OTP_FOR_STAFF": "0"}, False),
        ({"DJANGO_DEBUG": "1", "ADVOCACY_OTP_FOR_STAFF": "1"}, True),
    ],
)
def test_the_staff_setting_is_on_in_production_by_default(monkeypatch, env, expected):
    assert _settings_module(monkeypatch, **env).ADVOCACY_OTP_FOR_STAFF is expected


def test_the_enrol_page_shows_the_secret_as_text_and_names_the_system(users_by_role):
    pro = users_by_role["professional"]
    client = _password_login(pro)

    page = client.get(ENROL).content.decode()

    device = TOTPDevice.objects.get(user=pro, confirmed=False)
    secret = re.search(r'data-testid="otp-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1)
    assert secret.replace(" ", "") == base64.b32encode(device.bin_key).decode().rstrip("=")
    assert "issuer=%E6%A8%A9%E5%88%A9%E6%93%81%E8%AD%B7" in device.config_url
    assert device.config_url.startswith("otpauth://totp/%E6%A8%A9%E5%88%A9")


def test_enrolment_is_audited_once_and_a_wrong_first_code_confirms_nothing(users_by_role):
    pro = users_by_role["professional"]
    client = _password_login(pro)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=pro, confirmed=False)

    wrong = client.post(ENROL, {"token": "000000"})
    assert wrong.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    device.refresh_from_db()
    assert not device.confirmed
    assert not AuditEvent.objects.filter(action=Action.SECOND_FACTOR_ENROLLED).exists()
    # django-otp makes the next try wait after a wrong code; the test does not.
    device.throttle_reset()

    _enrol(client, pro, "/app/portal/")

    events = AuditEvent.objects.filter(action=Action.SECOND_FACTOR_ENROLLED, actor=pro)
    assert events.count() == 1
