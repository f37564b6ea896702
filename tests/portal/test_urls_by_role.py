"""Every portal URL as every role: 403 for the wrong kind of user, 404 for the wrong one."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.portal import services
from advocacy.portal.models import CoordinationRequest

from .conftest import send
from .otp import force_login_verified

pytestmark = pytest.mark.django_db

ROLES = [
    "city_caseworker",
    "council_caseworker",
    "city_supervisor",
    "council_supervisor",
    "professional",
    "other_professional",
    "committee_member",
    "system_admin",
    "no_role",
]
STAFF = {"city_caseworker", "council_caseworker", "city_supervisor", "council_supervisor"}


@pytest.fixture
def accepted(worker_client, case, pro, pro_client):
    send(worker_client, case, pro.professional)
    coordination = CoordinationRequest.objects.get(case=case)
    services.request_accept(actor=pro, request=coordination)
    return coordination


def _client(users_by_role, other_pro, role) -> Client:
    user = other_pro if role == "other_professional" else users_by_role[role]
    return force_login_verified(Client(), user)


@pytest.mark.parametrize("role", ROLES)
def test_professional_pages(users_by_role, other_pro, accepted, role):
    client = _client(users_by_role, other_pro, role)
    pages = [
        f"/app/portal/requests/{accepted.pk}/",
        f"/app/portal/cases/{accepted.case_id}/",
    ]
    for page in pages:
        status = client.get(page).status_code
        if role == "professional":
            assert status == HTTPStatus.OK, page
        elif role == "other_professional":
            assert status == HTTPStatus.NOT_FOUND, page
        else:
            assert status == HTTPStatus.FORBIDDEN, page
    if role == "other_professional":
        assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == 2
        # Not theirs to answer either.
        response = client.post(f"/app/portal/requests/{accepted.pk}/", {"action": "accept"})
        assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("role", ROLES)
def test_staff_pages(users_by_role, other_pro, accepted, role):
    client = _client(users_by_role, other_pro, role)
    pages = [
        f"/app/portal/staff/cases/{accepted.case_id}/",
        f"/app/portal/staff/cases/{accepted.case_id}/requests/{accepted.pk}/",
    ]
    for page in pages:
        status = client.get(page).status_code
        if role in ("city_caseworker", "city_supervisor"):
            assert status == HTTPStatus.OK, page
        elif role in STAFF:
            # Staff of another organisation: the case is not theirs, and looks missing.
            assert status == HTTPStatus.NOT_FOUND, page
        else:
            assert status == HTTPStatus.FORBIDDEN, page


@pytest.mark.parametrize(
    "page", ["/app/portal/", "/accounts/otp/", "/accounts/otp/enrol/", "/app/portal/staff/cases/x/"]
)
def test_anonymous_users_are_sent_to_log_in(client, page):
    response = client.get(page)

    assert response.status_code == HTTPStatus.FOUND
    assert "login" in response.url


def test_unknown_ids_are_404(pro_client, worker_client):
    assert pro_client.get("/app/portal/requests/not-a-uuid/").status_code == 404
    assert (
        pro_client.get("/app/portal/cases/00000000-0000-0000-0000-000000000000/").status_code == 404
    )
    assert worker_client.get("/app/portal/staff/cases/nope/").status_code == 404


def test_caseworker_without_change_cannot_send(users_by_role, case, pro):
    from advocacy.access import services as access

    reader = users_by_role["city_caseworker"].__class__.objects.create(
        username="reader", organisation=case.organisation
    )
    from django.contrib.auth.models import Group

    from advocacy.accounts.roles import Role

    reader.groups.add(Group.objects.get(name=Role.CITY_CASEWORKER.value))
    access.grant(
        actor=None,
        case=case,
        user=reader,
        permissions={"view_case"},
        reason="閲覧のみ",
        check_actor=False,
    )
    client = Client()
    client.force_login(reader)

    response = send(client, case, pro.professional)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not CoordinationRequest.objects.exists()
