"""新規 and 継続 are derived from the record, not from a box ticked by default."""

import datetime
from http import HTTPStatus

import pytest

from advocacy.accounts.roles import Role
from advocacy.cases.models import Case, Consultation
from advocacy.cases.services import record_save
from advocacy.stats import selectors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


def _consult(worker, case, day, **fields):
    return record_save(
        actor=worker,
        case=case,
        record=Consultation(consulted_on=day, channel="phone", referrer_type="relative", **fields),
    )


def test_a_follow_up_in_the_same_year_is_continuing_and_the_next_year_new_again(worker):
    case = factories.case_for(worker, consulted_on=datetime.date(2025, 5, 1))
    first = Consultation.objects.get(case=case)

    follow_up = _consult(worker, case, datetime.date(2025, 9, 1))
    next_year = _consult(worker, case, datetime.date(2026, 4, 2))
    again = _consult(worker, case, datetime.date(2026, 4, 20))

    assert [first.is_new, follow_up.is_new, next_year.is_new, again.is_new] == [
        True,
        False,
        True,
        False,
    ]


def test_the_first_consultation_after_a_closing_is_new(worker):
    case = factories.case_for(worker, consulted_on=datetime.date(2026, 4, 5))
    # Closed on 1 June and taken up again (a reopening keeps the case open).
    Case.objects.filter(pk=case.pk).update(closed_on=datetime.date(2026, 6, 1))

    after = _consult(worker, case, datetime.date(2026, 7, 1))

    assert after.is_new is True


def test_set_by_hand_it_needs_a_reason_and_is_kept(client, worker):
    case = factories.case_for(worker, consulted_on=datetime.date(2026, 4, 5))
    client.force_login(worker)
    data = {
        "consulted_on": "2026-05-01",
        "new_or_continuing": "new",
        "channel": "phone",
        "referrer_type": "relative",
    }

    refused = client.post(f"/app/cases/{case.pk}/records/consultation/new/", data)
    kept = client.post(
        f"/app/cases/{case.pk}/records/consultation/new/",
        {**data, "is_new_reason": "別の課題での新たな相談"},
    )

    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "理由" in " ".join(refused.context["form"].errors["is_new_reason"])
    assert kept.status_code == HTTPStatus.FOUND
    later = Consultation.objects.get(case=case, consulted_on="2026-05-01")
    assert later.is_new is True and later.is_new_by_hand


def test_the_report_counts_persons_and_contacts_apart(worker):
    case = factories.case_for(worker, consulted_on=datetime.date(2026, 4, 5))
    _consult(worker, case, datetime.date(2026, 5, 1))
    _consult(worker, case, datetime.date(2026, 6, 1))
    factories.case_for(worker, consulted_on=datetime.date(2026, 4, 6), kana="べつの ひと")

    totals = selectors.consultation_totals(2026)

    assert totals[("contacts", "new")] == 2 and totals[("persons", "new")] == 2
    assert totals[("contacts", "continuing")] == 2 and totals[("persons", "continuing")] == 1
