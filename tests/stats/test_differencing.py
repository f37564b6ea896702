"""Two releases of one fiscal year, one case apart, must not reveal that case.

Precisely: the attacker holds release A and release B of the same year's report, which differ
by one person's case with a rare combination of categories. For every cell of every table
whose count changed (the person's cells, margins included, small or large), the linear system
of both releases (all published cells, all margins, non-negative counts) must admit a
difference of 0 in that cell: nothing published proves that the person is in it. And a cell
published as 0 in A is, in B, 0, k or more, or hidden with 0 still consistent.
"""

from __future__ import annotations

import datetime

import pytest

from advocacy.cases.models import Consultation
from advocacy.reference.models import Area
from advocacy.stats import services
from tests import factories
from tests.stats.conftest import FY
from tests.stats.lpaudit import changed_cells, differencing_violations

pytestmark = pytest.mark.django_db


def test_adding_a_rare_case_between_releases_reveals_nothing(stats_world):
    users, _cases = stats_world
    before = _release(users)

    factories.canary_case(
        users["city_caseworker"],
        name="カナリア追加",
        sex="other",
        household_type="elderly_couple",
        area=Area.objects.order_by("sort_order").last(),
        referrer_type="financial",
        birth_date=datetime.date(1990, 1, 1),
        categories=["intellectual"],
    )
    after = _release(users)

    _assert_no_attribute_readable(before, after, services.threshold())


def test_removing_a_rare_case_between_releases_reveals_nothing(stats_world):
    users, cases = stats_world
    rare = cases[-1]
    before = _release(users)

    # The case leaves the year (a date corrected into the year before).
    Consultation.objects.filter(case=rare).update(consulted_on=datetime.date(FY - 1, 6, 1))
    after = _release(users)

    _assert_no_attribute_readable(before, after, services.threshold())


def test_three_releases_are_protected_pairwise(stats_world):
    users, _cases = stats_world
    worker = users["city_caseworker"]
    first = _release(users)
    factories.canary_case(worker, name="カナリア二人目", sex="male", household_type="other")
    second = _release(users)
    factories.canary_case(
        worker, name="カナリア三人目", sex="unknown", referrer_type="police", is_new=False
    )
    third = _release(users)

    for before, after in ((first, second), (second, third), (first, third)):
        _assert_no_attribute_readable(before, after, services.threshold())


def _release(users):
    """Release the year's report to the committee; return its grids with their counts."""
    release = services.report_release(
        actor=users["city_supervisor"], fiscal_year=FY, kind="before_committee"
    )
    return services.release_grids(release)


def _assert_no_attribute_readable(before, after, k):
    assert changed_cells(before, after), "the releases should differ"
    assert differencing_violations(before, after, k) == []


def test_two_releases_one_rare_case_apart_reveal_no_attribute_of_it(stats_world):
    """The attack of issue 15: release, add one rare case, release again, difference."""
    users, _cases = stats_world
    first = _release(users)

    factories.canary_case(
        users["city_caseworker"],
        name="カナリア差分",
        sex="other",
        household_type="elderly_couple",
        area=Area.objects.order_by("sort_order").last(),
        referrer_type="financial",
        birth_date=datetime.date(1990, 1, 1),
        categories=["intellectual"],
        concerns=["consumer_fraud"],
    )
    second = _release(users)

    _assert_no_attribute_readable(first, second, services.threshold())
