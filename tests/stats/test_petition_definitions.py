"""Petitions are counted by what was petitioned for, in the year of filing; rulings by the type
granted, in the year of the ruling. A closed year's figures do not move when a ruling arrives."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from advocacy.accounts.roles import Role
from advocacy.cases.models import GuardianAppointment, Petition
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


def test_a_guardian_change_is_counted_apart_from_new_petitions(city):
    """A successor's appointment (後任選任) is neither a new 開始 petition nor a new ruling."""
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    case = factories.case_for(worker, consulted_on=datetime.date(2026, 4, 1))
    start = record_save(
        actor=worker,
        case=case,
        record=Petition(
            petitioner_type="mayor",
            approved_on=datetime.date(2026, 4, 10),
            filed_on=datetime.date(2026, 4, 20),
            type_sought=_type("guardianship"),
            ruling_on=datetime.date(2026, 6, 1),
            type_granted=_type("guardianship"),
        ),
    )
    first = record_save(
        actor=worker,
        case=case,
        record=GuardianAppointment(
            petition=start,
            kind="person",
            profession="social_worker",
            name="架空 一郎",
            appointed_on=datetime.date(2026, 6, 1),
        ),
    )
    change = record_save(
        actor=worker,
        case=case,
        record=Petition(
            purpose=Petition.Purpose.APPOINTMENT,
            change_kind=Petition.ChangeKind.RESIGNATION,
            petitioner_type="guardian",
            filed_on=datetime.date(2026, 9, 1),
            ruling_on=datetime.date(2026, 10, 1),
        ),
    )
    for petition, profession, name in ((change, "lawyer", "架空 二郎"),):
        record_save(
            actor=worker,
            case=case,
            record=GuardianAppointment(
                petition=petition,
                kind="person",
                profession=profession,
                name=name,
                appointed_on=datetime.date(2026, 10, 1),
            ),
        )
    first.ended_on = datetime.date(2026, 10, 1)
    record_save(actor=worker, case=case, record=first)

    guardianship = str(_type("guardianship").pk)
    assert selectors.petition_counts(2026) == {("mayor", guardianship): 1}
    assert selectors.ruling_counts(2026) == {("mayor", guardianship): 1}
    assert selectors.appointment_counts(2026) == {("social_worker", "n"): 1}
    assert selectors.change_counts(2026) == {("resignation", "lawyer"): 1}


def test_a_change_petition_must_say_what_change_it_is(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    case = factories.case_for(worker)
    with pytest.raises(ValidationError) as refused:
        record_save(
            actor=worker,
            case=case,
            record=Petition(purpose=Petition.Purpose.APPOINTMENT, petitioner_type="guardian"),
        )
    assert "change_kind" in refused.value.message_dict
