"""Every shell page as every role: the exact status, and the right home for each."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.portal.otp import force_login_verified

pytestmark = pytest.mark.django_db

ROLES = [
    "city_caseworker",
    "council_caseworker",
    "city_supervisor",
    "council_supervisor",
    "professional",
    "committee_member",
    "system_admin",
    "no_role",
]

HOME_OF = {
    "city_caseworker": "/app/inbox/",
    "council_caseworker": "/app/inbox/",
    "city_supervisor": "/app/inbox/",
    "council_supervisor": "/app/inbox/",
    "professional": "/app/portal/",
    "committee_member": "/app/stats/",
    "system_admin": "/admin/",
}

SUPERVISORS = {"city_supervisor", "council_supervisor"}

# page -> the roles that may open it; everyone else gets 403 (supervisors at the committee's
# statistics are taken to their preview).
PAGES = {
    "/app/inbox/": {
        "city_caseworker",
        "council_caseworker",
        "city_supervisor",
        "council_supervisor",
    },
    "/app/portal/": {"professional"},
    # Publicity, training and the citizen guardian register: the organisations' staff.
    "/app/outreach/": {
        "city_caseworker",
        "council_caseworker",
        "city_supervisor",
        "council_supervisor",
    },
    "/app/stats/": {"committee_member"},
    "/admin/": {"system_admin"},
}


@pytest.mark.parametrize("role", ROLES)
def test_home_sends_each_role_to_its_own_page(client, users_by_role, role):
    # Verified: an unverified professional is sent to the second factor first (tests/accounts).
    force_login_verified(client, users_by_role[role])

    response = client.get(reverse("home"))

    if role == "no_role":
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "役割が設定されていません" in response.content.decode()
    else:
        assert response.status_code == HTTPStatus.FOUND
        assert response.url == HOME_OF[role]


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_only_the_roles_it_is_for(client, users_by_role, role, page):
    # Professionals reach the portal only with their second factor (TOTP) given.
    force_login_verified(client, users_by_role[role])

    response = client.get(page)

    if role in PAGES[page]:
        assert response.status_code == HTTPStatus.OK
    elif page == "/app/stats/" and role in SUPERVISORS:
        # The committee's page takes a supervisor to the preview (the menu leads here).
        assert response.status_code == HTTPStatus.FOUND
        assert response.url == "/app/stats/preview/"
    elif page == "/admin/":
        # The admin sends everyone else to its own login page rather than a 403.
        assert response.status_code == HTTPStatus.FOUND
        assert response.url.startswith("/admin/login/")
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("page", ["/", *PAGES])
def test_anonymous_users_are_sent_to_log_in(client, page):
    response = client.get(page)

    assert response.status_code == HTTPStatus.FOUND
    assert "login" in response.url


def test_admin_flag_alone_does_not_open_the_admin(client, users_by_role):
    worker = users_by_role["city_caseworker"]
    worker.is_staff = True
    worker.save()
    client.force_login(worker)

    response = client.get("/admin/")

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/admin/login/")


def test_inbox_menu_shows_only_the_applications_of_the_role(client, users_by_role):
    client.force_login(users_by_role["city_caseworker"])

    html = client.get("/app/inbox/").content.decode()

    assert "受信箱" in html
    assert "受任調整ポータル" not in html
    assert "統計" not in html
