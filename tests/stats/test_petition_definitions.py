"""Petitions are counted by what was petitioned for, in the year of filing; rulings by the type
granted, in the year of the ruling. A closed year's figures do not move when a ruling arrives."""

import datetime

import pytest

from advocacy.accounts.roles import Role
from advocacy.cases.models import Petition
from advocacy.cases.services import record_save
from advocacy.reference.models import GuardianshipType
from advocacy.stats import selectors
from tests import factories

pytestmark = pytest.mark.django_db


def _type(code):
    return GuardianshipType.objects.filter(code=code, active=True).order_by("pk").first()


def test_a_ruling_after_march_leaves_the_filing_years_petitions_where_they_were(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    case = factories.case_for(worker, consulted_on=datetime.date(2025, 12, 1))
    petition = record_save(
        actor=worker,
        case=case,
        record=Petition(
            petitioner_type="mayor",
            approved_on=datetime.date(2026, 2, 1),
            filed_on=datetime.date(2026, 2, 10),
            type_sought=_type("curatorship"),
        ),
    )
    before = selectors.petition_counts(2025)

    petition.ruling_on = datetime.date(2026, 5, 20)
    petition.type_granted = _type("guardianship")
    record_save(actor=worker, case=case, record=petition)

    assert before == {("mayor", str(_type("curatorship").pk)): 1}
    assert selectors.petition_counts(2025) == before
    assert selectors.ruling_counts(2025) == {}
    assert selectors.ruling_counts(2026) == {("mayor", str(_type("guardianship").pk)): 1}
    assert selectors.petition_counts(2026) == {}


def test_a_petition_not_yet_ruled_is_counted_by_its_type_not_as_pending(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    case = factories.case_for(worker, consulted_on=datetime.date(2026, 4, 1))
    record_save(
        actor=worker,
        case=case,
        record=Petition(
            petitioner_type="relative",
            filed_on=datetime.date(2026, 4, 20),
            type_sought=_type("assistance"),
        ),
    )

    counts = selectors.petition_counts(2026)

    assert counts == {("relative", str(_type("assistance").pk)): 1}
    assert "pending" not in {col for _row, col in counts}
