import datetime

import pytest

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case, StageChange
from advocacy.cases.models.person import age_band_of
from advocacy.cases.selectors import cases_visible_to
from advocacy.dates import fiscal_year_of, wareki, western_and_wareki
from tests import factories

pytestmark = pytest.mark.django_db


def test_case_numbers_run_per_fiscal_year_in_reiwa(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)

    first = factories.case_for(worker, consulted_on=datetime.date(2025, 4, 1))
    second = factories.case_for(worker, consulted_on=datetime.date(2026, 3, 31))
    next_year = factories.case_for(worker, consulted_on=datetime.date(2026, 4, 1))

    assert [first.number, second.number, next_year.number] == ["R7-0001", "R7-0002", "R8-0001"]


def test_opening_a_case_grants_the_worker_records_the_stage_and_audits(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)

    case = factories.case_for(worker)

    assert list(cases_visible_to(user=worker)) == [case]
    assert case.stage == Case.Stage.CONSULTATION
    assert case.controller == Case.Controller.CITY
    assert case.assigned_worker == worker
    assert StageChange.objects.filter(case=case, stage="consultation").count() == 1
    actions = set(
        AuditEvent.objects.filter(object_id=str(case.pk)).values_list("action", flat=True)
    )
    assert {Action.CASE_CREATED, Action.ACCESS_GRANTED} <= actions


def test_age_band_is_five_years_wide_and_derived_from_birth_date():
    assert age_band_of(datetime.date(1940, 5, 6), datetime.date(2026, 5, 5)) == "85-89"
    assert age_band_of(datetime.date(1940, 5, 6), datetime.date(2026, 5, 6)) == "85-89"
    assert age_band_of(datetime.date(1941, 5, 7), datetime.date(2026, 5, 6)) == "80-84"


def test_dates_show_both_western_and_japanese_era():
    assert wareki(datetime.date(2025, 4, 1)) == "令和7年4月1日"
    assert wareki(datetime.date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(datetime.date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki(datetime.date(1940, 5, 6)) == "昭和15年5月6日"
    assert western_and_wareki(datetime.date(2025, 4, 1)) == "2025年4月1日（令和7年4月1日）"
    assert fiscal_year_of(datetime.date(2026, 3, 31)) == 2025
