"""The outside member's pack, attacked: every URL × when × which case, from one table.

An outside member pledged for one 支援会議 (its agenda: case A). Case B is on no agenda;
case C is on another 支援会議's agenda, where the member does not sit. The pack opens the
day the agenda is sent and closes ADVOCACY_MEETING_PACK_DAYS_AFTER days after the meeting.
Each cell asks one URL on one day and expects one status; no response ever carries the
name of a person whose case is not on the member's agenda (canaries), nor A's outside the
window.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
import time_machine
from django.test import Client

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.meetings import services
from tests import factories
from tests.meetings.conftest import add_outside, login, make_meeting

pytestmark = pytest.mark.django_db

HELD_ON = datetime.date(2026, 11, 20)
SENT_ON = datetime.date(2026, 11, 13)
DAYS_AFTER = 7
WHEN = {
    "before": SENT_ON - datetime.timedelta(days=1),
    "in": HELD_ON,
    "last_day": HELD_ON + datetime.timedelta(days=DAYS_AFTER),
    "after": HELD_ON + datetime.timedelta(days=DAYS_AFTER + 1),
}
OPEN = {"in", "last_day"}

NAMES = {"agenda": "議題 太郎", "other": "カナリア 他人", "elsewhere": "カナリア 別会議"}

# url name → (path template, status by (when is open, case)); {m} the member's meeting,
# {m2} the other meeting, {case} the case of the column.
URLS = {
    "pack_index": ("/app/meetings/pack/", lambda open_, case: 200),
    "pack_meeting": ("/app/meetings/pack/{m}/", lambda open_, case: 200 if open_ else 404),
    "pack_case": (
        "/app/meetings/pack/{m}/cases/{case}/",
        lambda open_, case: 200 if open_ and case == "agenda" else 404,
    ),
    "other_meetings_pack": ("/app/meetings/pack/{m2}/", lambda open_, case: 404),
    "other_meetings_case": ("/app/meetings/pack/{m2}/cases/{case}/", lambda open_, case: 404),
    # The menu's 会議 leads an outside member to the pack (a redirect, nothing shown).
    "staff_meetings": ("/app/meetings/", lambda open_, case: 302),
    "staff_meeting": ("/app/meetings/{m}/", lambda open_, case: 403),
    "staff_minutes": ("/app/meetings/{m}/cases/{case}/minutes/", lambda open_, case: 403),
    "staff_print": ("/app/meetings/{m}/print/", lambda open_, case: 403),
    "case_page": ("/app/cases/{case}/", lambda open_, case: 403),
}

JST = datetime.timezone(datetime.timedelta(hours=9))


def _on(day: datetime.date):
    """Travel to ten in the morning of day, Japan time."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), JST), tick=False)


CELLS = list(itertools.product(URLS, WHEN, NAMES))


@pytest.fixture
def world(users_by_role, settings):
    settings.ADVOCACY_MEETING_PACK_DAYS_AFTER = DAYS_AFTER
    worker = users_by_role["city_caseworker"]
    outside = factories.user(Role.MEETING_MEMBER)
    with _on(datetime.date(2026, 11, 1)):
        cases = {
            key: factories.case_for(worker, name=name, kana="かくう たろう")
            for key, name in NAMES.items()
        }
        meeting = make_meeting(worker, held_on=HELD_ON, agenda_sent_on=SENT_ON)
        add_outside(worker, meeting, outside)
        services.item_add(
            actor=worker, meeting=meeting, case=cases["agenda"], briefing="架空の協議事項"
        )
        other_meeting = make_meeting(worker, held_on=HELD_ON, agenda_sent_on=SENT_ON)
        services.item_add(actor=worker, meeting=other_meeting, case=cases["elsewhere"])
    return {"outside": outside, "cases": cases, "m": meeting, "m2": other_meeting}


def _path(world, url: str, case: str) -> str:
    template = URLS[url][0]
    return template.format(m=world["m"].pk, m2=world["m2"].pk, case=world["cases"][case].pk)


@pytest.mark.parametrize(("url", "when", "case"), CELLS, ids=["-".join(c) for c in CELLS])
def test_the_pack_answers_exactly_and_leaks_no_other_case(world, url, when, case):
    client = login(Client(), world["outside"])
    with _on(WHEN[when]):
        response = client.get(_path(world, url, case))

    assert response.status_code == URLS[url][1](when in OPEN, case)
    body = response.content.decode()
    assert NAMES["other"] not in body
    assert NAMES["elsewhere"] not in body
    if when not in OPEN:
        assert NAMES["agenda"] not in body


def test_a_pack_read_is_audited_per_case_and_a_refusal_too(world):
    client = login(Client(), world["outside"])
    agenda = world["cases"]["agenda"]
    with _on(HELD_ON):
        assert client.get(_path(world, "pack_case", "agenda")).status_code == 200
        assert client.get(_path(world, "pack_case", "other")).status_code == 404

    read = AuditEvent.objects.filter(action=Action.MEETING_PACK_VIEWED, object_id=str(agenda.pk))
    assert read.count() == 1
    assert read.get().fields_read == ["Person.name", "AgendaItem.briefing"]
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() == 1


def test_the_pack_asks_for_the_second_factor_first(world):
    client = Client()
    client.force_login(world["outside"])
    with _on(HELD_ON):
        response = client.get(_path(world, "pack_meeting", "agenda"))

    assert response.status_code == 302
    assert "/accounts/otp/" in response.url


def test_a_member_without_a_pledge_sees_no_pack(world, users_by_role):
    # Recorded on another kind of meeting (no pledge needed there), then the kind cannot
    # change: the pack is for 支援会議 only.
    worker = users_by_role["city_caseworker"]
    coordination = make_meeting(
        worker, kind="coordination", held_on=HELD_ON, agenda_sent_on=SENT_ON
    )
    add_outside(worker, coordination, world["outside"], pledged=False)
    services.item_add(actor=worker, meeting=coordination, case=world["cases"]["other"])
    client = login(Client(), world["outside"])
    with _on(HELD_ON):
        response = client.get(f"/app/meetings/pack/{coordination.pk}/")
        listing = client.get("/app/meetings/pack/")

    assert response.status_code == 404
    assert str(coordination.pk) not in listing.content.decode()
    assert str(world["m"].pk) in listing.content.decode()
