"""Publicity and training events: recorded by staff, over capacity warned, consultations linked."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Consultation, GeneralConsultation
from advocacy.cases.services import general_consultation_record
from advocacy.outreach import services
from advocacy.outreach.models import OutreachEvent
from tests import factories
from tests.portal.otp import force_login_verified

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 14)


def _client(user) -> Client:
    return force_login_verified(Client(), user)


def _post(**overrides) -> dict:
    data = {
        "held_on": DAY.isoformat(),
        "title": "成年後見制度の講演会",
        "place": "架空市民会館",
        "kind": "resident_seminar",
        "audience": "residents",
        "organiser": "joint",
        "capacity": "30",
        "attended_residents": "20",
        "attended_commissioners": "5",
        "attended_care_managers": "0",
        "attended_professionals": "0",
        "attended_others": "0",
        "leaflets": "0",
    }
    data.update(overrides)
    return data


def general(worker, day=DAY) -> GeneralConsultation:
    return general_consultation_record(
        actor=worker,
        consultation=GeneralConsultation(
            consulted_on=day, channel="visit", referrer_type="self", minutes=20, outcome="referred"
        ),
    )


def test_staff_record_an_event_and_see_it_listed(users_by_role):
    worker = users_by_role["city_caseworker"]
    client = _client(worker)
    assert client.get("/app/outreach/events/new/").status_code == HTTPStatus.OK

    response = client.post("/app/outreach/events/new/", _post())

    assert response.status_code == HTTPStatus.FOUND
    event = OutreachEvent.objects.get()
    assert (event.attendance, event.organisation, event.kind) == (
        25,
        worker.organisation,
        "resident_seminar",
    )
    assert AuditEvent.objects.filter(action=Action.OUTREACH_EVENT_RECORDED).count() == 1
    listed = client.get("/app/outreach/").content.decode()
    assert "成年後見制度の講演会" in listed


def test_attendance_over_capacity_is_warned_and_kept_until_confirmed(users_by_role):
    client = _client(users_by_role["city_caseworker"])
    over = _post(attended_residents="40")

    warned = client.post("/app/outreach/events/new/", over)

    assert warned.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    page = warned.content.decode()
    assert 'data-testid="over-capacity"' in page and "定員（30人）を超えています" in page
    assert 'value="40"' in page  # what was typed is still there
    assert not OutreachEvent.objects.exists()
    confirmed = client.post("/app/outreach/events/new/", {**over, "over_capacity_confirmed": "on"})
    assert confirmed.status_code == HTTPStatus.FOUND
    event = OutreachEvent.objects.get()
    assert event.over_capacity and event.attendance == 45
    assert "定員超過" in client.get("/app/outreach/").content.decode()


def test_consultations_of_the_day_are_linked_and_others_are_refused(users_by_role):
    worker = users_by_role["city_caseworker"]
    taken = general(worker)
    case = factories.case_for(worker, consulted_on=DAY)
    named = Consultation.objects.get(case=case)
    elsewhere = general(users_by_role["council_caseworker"])
    client = _client(worker)

    form = client.get(f"/app/outreach/events/new/?held_on={DAY.isoformat()}")
    assert form.status_code == HTTPStatus.OK
    refused = client.post(
        "/app/outreach/events/new/",
        _post(kind="open_consultation", general_consultations=[str(elsewhere.pk)]),
    )
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not OutreachEvent.objects.exists()
    response = client.post(
        "/app/outreach/events/new/",
        _post(
            kind="open_consultation",
            general_consultations=[str(taken.pk)],
            consultations=[str(named.pk)],
        ),
    )
    assert response.status_code == HTTPStatus.FOUND
    event = OutreachEvent.objects.get()
    assert list(event.general_consultations.all()) == [taken]
    assert list(event.consultations.all()) == [named]
    # The service refuses another organisation's consultation even without the form.
    with pytest.raises(PermissionDenied):
        services.event_save(
            actor=worker, event=event, general_consultations=[elsewhere], consultations=[named]
        )


def test_another_organisation_cannot_open_or_change_an_event(users_by_role):
    worker = users_by_role["city_caseworker"]
    _client(worker).post("/app/outreach/events/new/", _post())
    event = OutreachEvent.objects.get()
    path = f"/app/outreach/events/{event.pk}/"

    other = _client(users_by_role["council_caseworker"])
    assert other.get(path).status_code == HTTPStatus.NOT_FOUND
    assert other.post(path, _post(title="書き換え")).status_code == HTTPStatus.NOT_FOUND
    for role in ("professional", "committee_member"):
        assert (
            _client(users_by_role[role]).get("/app/outreach/").status_code == HTTPStatus.FORBIDDEN
        )
    event.refresh_from_db()
    assert event.title == "成年後見制度の講演会"
    changed = _client(worker).post(path, _post(title="変更後の講演会"))
    assert changed.status_code == HTTPStatus.FOUND
    event.refresh_from_db()
    assert event.title == "変更後の講演会"
    assert AuditEvent.objects.filter(action=Action.OUTREACH_EVENT_UPDATED).count() == 1


def test_the_event_list_is_paginated(users_by_role):
    worker = users_by_role["city_caseworker"]
    for i in range(26):
        services.event_save(
            actor=worker,
            event=OutreachEvent(
                held_on=DAY - datetime.timedelta(days=i),
                title=f"説明会{i}",
                kind="briefing",
                audience="commissioners",
                organiser="city",
            ),
        )
    client = _client(worker)
    first = client.get("/app/outreach/").content.decode()
    assert "説明会0" in first and "説明会25" not in first
    assert "説明会25" in client.get("/app/outreach/?page=2").content.decode()
