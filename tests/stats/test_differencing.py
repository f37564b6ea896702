"""Two releases of one fiscal year, one case apart, must not reveal that case.

Precisely: the attacker holds release A and release B of the same year's report, which differ
by one person's case with a rare combination of categories. For every table and every inner
cell that person falls into whose count is below k in the release that contains them, the
linear system of both releases (all published cells, all margins, non-negative counts) must
admit a difference of 0 in that cell: nothing published proves that the person is in it.
"""

from __future__ import annotations

import datetime

import pytest

from advocacy.cases.models import Consultation
from advocacy.reference.models import Area
from advocacy.stats import services
from tests import factories
from tests.stats.conftest import FY
from tests.stats.lpaudit import difference_range

pytestmark = pytest.mark.django_db

CONSULTATION_TABLES = ("c_referrer", "c_age", "c_sex", "c_household", "c_area")


def _grids(report):
    return [t.grid for t in report.tables() if t.follows is None]


def _contributions(before, after):
    """Return (table, cell) of the inner cells whose true count changed between releases."""
    changed = []
    old = {t.key: t.grid for t in before.tables()}
    for table in after.tables():
        if table.key not in CONSULTATION_TABLES:
            continue
        grid = table.grid
        for r in range(grid.n_rows):
            for c in range(grid.n_cols):
                if grid.cells[r][c] != old[table.key].cells[r][c]:
                    changed.append(
                        (table.key, (r, c), min(grid.cells[r][c], old[table.key].cells[r][c]))
                    )
    return changed


def _assert_hidden_from_difference(before, after, k):
    changed = _contributions(before, after)
    assert changed, "the releases should differ"
    small = [(key, cell) for key, cell, low in changed if low < k]
    assert small, "the rare combination should fall into small cells"
    for key, cell in small:
        lo, hi = difference_range(_grids(before), _grids(after), key, cell)
        assert lo <= 1e-6 and hi >= -1e-6, (key, cell, lo, hi)


def test_adding_a_rare_case_between_releases_reveals_nothing(stats_world):
    users, _cases = stats_world
    before = services.report_build(fiscal_year=FY, publish=True)

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
    after = services.report_build(fiscal_year=FY, publish=True)

    _assert_hidden_from_difference(before, after, before.k)


def test_removing_a_rare_case_between_releases_reveals_nothing(stats_world):
    _users, cases = stats_world
    rare = cases[-1]
    before = services.report_build(fiscal_year=FY, publish=True)

    # The case leaves the year (a date corrected into the year before).
    Consultation.objects.filter(case=rare).update(consulted_on=datetime.date(FY - 1, 6, 1))
    after = services.report_build(fiscal_year=FY, publish=True)

    _assert_hidden_from_difference(before, after, before.k)
