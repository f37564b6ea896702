"""Whose records a case is follows what the work is for, not who typed it in."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case
from advocacy.cases.services import controller_for
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_council_caseworker_opening_a_core_agency_case_makes_a_city_controlled_case(council):
    worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)

    case = factories.case_for(worker)

    assert case.purpose == Case.Purpose.CORE_AGENCY
    assert case.controller == Case.Controller.CITY


@pytest.mark.parametrize(
    ("purpose", "kind", "controller"),
    [
        ("core_agency", "council_centre", "city"),
        ("core_agency", "city_office", "city"),
        ("daily_life_support", "council_centre", "council"),
        ("corporate_guardianship", "council_centre", "council"),
        ("other", "council_centre", "council"),
        ("other", "city_office", "city"),
    ],
)
def test_the_controller_follows_the_purpose(purpose, kind, controller):
    assert controller_for(purpose=purpose, organisation_kind=kind) == controller


def test_existing_cases_are_corrected_once_and_each_change_audited(council, city):
    council_worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    wrong = factories.case_for(council_worker)
    right = factories.case_for(factories.user(Role.CITY_CASEWORKER, organisation=city))
    Case.objects.filter(pk=wrong.pk).update(controller=Case.Controller.COUNCIL)

    out = StringIO()
    call_command("case_controllers", "--no-progress", stdout=out)
    call_command("case_controllers", "--no-progress", stdout=StringIO())

    wrong.refresh_from_db()
    assert wrong.controller == Case.Controller.CITY
    assert "corrected the controller of 1" in out.getvalue()
    events = AuditEvent.objects.filter(action=Action.CASE_CONTROLLER_CORRECTED)
    assert [e.label for e in events] == [wrong.number]
    assert right.number not in [e.label for e in events]


def test_the_case_page_shows_controller_and_purpose(client, council):
    worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    case = factories.case_for(worker)
    client.force_login(worker)

    page = client.get(f"/app/cases/{case.pk}/").content.decode()

    assert "市（中核機関業務）" in page and "中核機関業務" in page


@pytest.mark.parametrize(
    ("consulted_on", "prefix"),
    [
        (datetime.date(2025, 6, 1), "R7-"),
        (datetime.date(2019, 4, 10), "R1-"),
        (datetime.date(2019, 3, 31), "H30-"),
        (datetime.date(1989, 3, 1), "S63-"),
    ],
)
def test_case_numbers_carry_the_era_of_their_fiscal_year(city, consulted_on, prefix):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)

    case = factories.case_for(worker, consulted_on=consulted_on)

    assert case.number.startswith(prefix) and case.number == f"{prefix}{case.serial:04d}"


def test_numbers_of_two_eras_never_clash(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)

    old = factories.case_for(worker, consulted_on=datetime.date(2018, 5, 1))
    new = factories.case_for(worker, consulted_on=datetime.date(2019, 5, 1))

    assert (old.number, new.number) == ("H30-0001", "R1-0001")
