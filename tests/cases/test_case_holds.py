"""The case page asks in one statement which kinds of record and which panels a case has."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advocacy.accounts.roles import Role
from advocacy.cases import hooks, selectors
from advocacy.cases.models import Contact, Subsidy
from advocacy.cases.views import RECORD_MODELS
from advocacy.court.models import Flag
from advocacy.meetings.models import AgendaItem
from tests import factories

pytestmark = pytest.mark.django_db

MODELS = [*RECORD_MODELS.values(), Flag, AgendaItem]


@pytest.fixture
def worker(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


def _page(worker, case):
    from django.test import Client

    client = Client()
    client.force_login(worker)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/app/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in captured.captured_queries]


def test_case_holds_answers_what_the_orm_answers(worker):
    case = factories.case_for(worker)
    other = factories.case_for(worker, name="別件 次郎")
    factories.case_record(
        worker,
        case,
        Contact(contacted_on=datetime.date(2026, 11, 3), contact_from="guardian", summary="架空"),
    )
    Flag.objects.create(
        case=other, person=other.person, reason="asset_change", raised_on=datetime.date(2026, 11, 1)
    )
    for each in (case, other):
        expected = {m for m in MODELS if m._default_manager.filter(case_id=each.pk).exists()}
        assert selectors.case_holds(case=each, models=MODELS) == expected
    assert Contact in selectors.case_holds(case=case, models=MODELS)
    assert selectors.case_holds(case=other, models=MODELS) >= {Flag}
    assert Flag not in selectors.case_holds(case=case, models=MODELS)


def test_panels_are_asked_only_when_their_rows_exist(worker):
    case = factories.case_for(worker)
    assert set(hooks.case_page_panel_models()) >= {Flag, Subsidy, AgendaItem}
    page, statements = _page(worker, case)
    assert 'data-testid="court-panel"' not in page
    # The court's and the meetings' tables are read once, in the one statement of EXISTS.
    for table in ("court_flag", "meetings_agendaitem", "cases_subsidy"):
        reading = [sql for sql in statements if f'"{table}"' in sql]
        assert len(reading) == 1 and reading[0].startswith("SELECT EXISTS"), table

    Flag.objects.create(
        case=case, person=case.person, reason="asset_change", raised_on=datetime.date(2026, 11, 1)
    )
    page, statements = _page(worker, case)
    assert 'data-testid="court-panel"' in page
    assert sum('"court_flag"' in sql for sql in statements) > 1  # the panel read its flags
