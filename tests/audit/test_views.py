from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from advocacy.access.views import PAGE_SIZE
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.urls")]

URL = "audit:organisation_events"


def test_supervisor_sees_the_events_of_their_organisation_only(client, city, council):
    supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    outsider = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    audit_record(actor=worker, action=Action.CASE_VIEWED, label="C-OWN")
    audit_record(actor=outsider, action=Action.CASE_VIEWED, label="C-OTHER")
    # Staff of another organisation looking at something of the city's.
    audit_record(actor=outsider, action=Action.CASE_VIEWED, obj=worker, label="C-SHARED")
    client.force_login(supervisor)

    response = client.get(reverse(URL))

    assert response.status_code == HTTPStatus.OK
    shown = [(event.action, event.label) for event in response.context["page_obj"]]
    assert shown == [
        (Action.LOGIN, ""),  # force_login is a login too
        (Action.CASE_VIEWED, "C-SHARED"),
        (Action.CASE_VIEWED, "C-OWN"),
    ]
    html = response.content.decode()
    assert "ケース閲覧" in html
    assert "C-OTHER" not in html


def test_events_come_fifty_to_a_page(client, city):
    supervisor = factories.user(Role.SUPERVISOR, organisation=city)
    for n in range(PAGE_SIZE + 2):
        audit_record(actor=supervisor, action=Action.REPORT_VIEWED, label=f"R{n}")
    client.force_login(supervisor)  # the 53rd event

    first = client.get(reverse(URL))
    second = client.get(reverse(URL), {"page": 2})

    assert PAGE_SIZE == 50
    assert len(first.context["page_obj"]) == 50
    assert len(second.context["page_obj"]) == 3
    assert first.context["page_obj"][1].label == f"R{PAGE_SIZE + 1}"
    assert second.context["page_obj"][2].label == "R0"


@pytest.mark.parametrize("role", [Role.CITY_CASEWORKER, Role.SYSTEM_ADMIN, Role.COMMITTEE_MEMBER])
def test_others_are_refused(client, city, role):
    client.force_login(factories.user(role, organisation=city))

    assert client.get(reverse(URL)).status_code == HTTPStatus.FORBIDDEN


def test_supervisor_without_organisation_is_refused(client):
    client.force_login(factories.user(Role.SUPERVISOR))

    assert client.get(reverse(URL)).status_code == HTTPStatus.FORBIDDEN


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse(URL))

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("login"))


def test_fields_read_are_shown_by_their_labels(client, city):
    supervisor = factories.user(Role.SUPERVISOR, organisation=city)
    audit_record(
        actor=supervisor,
        action=Action.SENSITIVE_FIELDS_READ,
        obj=city,
        fields_read=["Organisation.short_name", "kind", "Nowhere.thing"],
    )
    client.force_login(supervisor)

    html = client.get(reverse(URL)).content.decode()

    assert "組織.略称、種別、Nowhere.thing" in html
