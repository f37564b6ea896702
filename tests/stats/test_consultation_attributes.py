"""Consultations are counted by the sex, household and area they were recorded with."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from advocacy.accounts.roles import Role
from advocacy.cases.models import Consultation, Person
from advocacy.cases.services import person_update, record_save
from advocacy.dates import fiscal_year_of
from advocacy.reference.models import Area
from advocacy.stats.selectors import consultation_counts
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_edit_this_year_moves_this_years_consultations_and_leaves_last_years_alone(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    first, second = Area.objects.order_by("sort_order")[:2]
    this_year = fiscal_year_of(timezone.localdate())
    case = factories.case_for(
        worker,
        area=first,
        household_type="with_family",
        sex="female",
        consulted_on=datetime.date(this_year - 1, 6, 1),
    )
    record_save(
        actor=worker,
        case=case,
        record=Consultation(
            consulted_on=datetime.date(this_year, 4, 1),
            is_new=False,
            is_new_by_hand=True,
            channel="phone",
            referrer_type="relative",
        ),
    )

    person_update(
        actor=worker,
        case=case,
        values={"area": second, "household_type": "alone", "sex": "unknown"},
    )

    before = consultation_counts(this_year - 1)
    assert before["area"] == {(first.code, "new"): 1}
    assert before["household"] == {("with_family", "new"): 1}
    assert before["sex"] == {("female", "new"): 1}
    now = consultation_counts(this_year)
    assert now["area"] == {(second.code, "continuing"): 1}
    assert now["household"] == {("alone", "continuing"): 1}
    assert now["sex"] == {("unknown", "continuing"): 1}


def test_a_new_consultation_takes_the_persons_attributes_of_the_day(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    first, second = Area.objects.order_by("sort_order")[:2]
    case = factories.case_for(worker, area=first, consulted_on=datetime.date(2025, 5, 1))
    Person.objects.filter(pk=case.person_id).update(area=second, household_type="other")

    record_save(
        actor=worker,
        case=case,
        record=(
            later := Consultation(
                consulted_on=datetime.date(2025, 9, 1),
                is_new=False,
                is_new_by_hand=True,
                channel="visit",
                referrer_type="self",
            )
        ),
    )

    kept = dict(Consultation.objects.values_list("pk", "area_id"))
    assert kept[later.pk] == second.pk
    assert sorted(kept.values()) == sorted([first.pk, second.pk])
    assert Consultation.objects.get(pk=later.pk).household_type == "other"
