"""The case page lists the meetings whose agenda holds the case: kind, 和暦 date, the decision
recorded, and a link only for those who may open the meeting."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.test import Client

from advocacy.access import services as access
from advocacy.access.models import CaseShare
from advocacy.meetings import services
from advocacy.meetings.models import Meeting
from tests import factories
from tests.meetings.test_flows import _to_conference
from tests.workflows.conftest import Walker

from .conftest import login, make_meeting

pytestmark = pytest.mark.django_db

HELD = datetime.date(2026, 6, 3)
MINUTES = "議事録カナリア文字列"


@pytest.fixture(autouse=True)
def default_workflow_settings(settings):
    settings.WORKFLOWS = {}


@pytest.fixture
def discussed(worker):
    """A case on two meetings: a 支援調整会議 that decided it, and a 定例会 with minutes only."""
    case = factories.case_for(worker, name="協議 一子")
    _to_conference(Walker(), worker, case)  # a meeting's decision completes the conference
    coordination = make_meeting(worker, kind=Meeting.Kind.COORDINATION, held_on=HELD)
    services.item_add(actor=worker, meeting=coordination, case=case)
    services.item_minutes_record(
        actor=worker,
        meeting=coordination,
        case=case,
        values={"minutes": MINUTES, "reasons": "架空の理由", "outcome": "voluntary"},
    )
    review = make_meeting(worker, kind=Meeting.Kind.REGULAR, held_on=HELD.replace(day=10))
    services.item_add(actor=worker, meeting=review, case=case)
    services.item_minutes_record(
        actor=worker, meeting=review, case=case, values={"minutes": MINUTES}
    )
    # A meeting without this case: it must not be listed.
    other = make_meeting(worker, kind=Meeting.Kind.SUPPORT, held_on=HELD.replace(day=20))
    services.item_add(actor=worker, meeting=other, case=factories.case_for(worker, name="別件"))
    return case, coordination, review, other


def page(user, case):
    return login(Client(), user).get(f"/app/cases/{case.pk}/")


def panel(html: str) -> str:
    """The meetings panel's own HTML (the case page says more about the case elsewhere)."""
    start = html.index('data-testid="case-meetings"')
    return html[start : html.index("</table>", start)]


def test_staff_with_the_grant_see_the_cases_meetings_with_links(worker, discussed):
    case, coordination, review, other = discussed
    response = page(worker, case)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    listed = panel(html)
    assert listed.count('data-testid="case-meeting"') == 2
    # Latest first: the 定例会 of the 10th, then the 支援調整会議 of the 3rd and its decision.
    regular, coordinated = listed.split('data-testid="case-meeting"')[1:]
    assert "定例会" in regular and "令和8年6月10日" in regular and "議事録あり" in regular
    assert "支援調整会議" in coordinated and "令和8年6月3日" in coordinated
    assert "任意後見" in coordinated  # the outcome recorded, as its label
    assert f"/app/meetings/{coordination.pk}/" in coordinated
    assert f"/app/meetings/{review.pk}/" in regular
    assert f"/app/meetings/{other.pk}/" not in html
    # The minutes' words stay on the meeting's page.
    assert MINUTES not in html


def test_a_user_without_the_grant_sees_neither_the_case_nor_its_meetings(users_by_role, discussed):
    case, coordination, _review, _other = discussed
    response = page(users_by_role["council_caseworker"], case)
    assert response.status_code == HTTPStatus.NOT_FOUND
    html = response.content.decode()
    assert 'data-testid="case-meetings"' not in html
    assert str(coordination.pk) not in html


def test_another_organisation_sharing_the_case_gets_no_link_to_the_meetings(
    worker, users_by_role, council, discussed
):
    case, coordination, review, _other = discussed
    access.share_with_organisation(
        actor=worker,
        case=case,
        organisation=council,
        basis=CaseShare.Basis.CONSENT,
        reason="同意のうえ共有",
    )
    response = page(users_by_role["council_caseworker"], case)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert panel(html).count('data-testid="case-meeting"') == 2
    assert 'data-testid="case-meeting-link"' not in html
    assert f"/app/meetings/{coordination.pk}/" not in html
    assert f"/app/meetings/{review.pk}/" not in html


def test_a_case_on_no_agenda_has_no_meetings_panel(worker):
    case = factories.case_for(worker, name="未協議 二子")
    assert 'data-testid="case-meetings"' not in page(worker, case).content.decode()
