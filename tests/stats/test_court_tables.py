"""The court's side in the yearly report: flags by reason, subsidies by budget line and kind;
small cells suppressed so that neither one release nor two differenced recover them."""

from __future__ import annotations

import datetime

import pytest

from advocacy.court import services as court
from advocacy.court.models import SubsidyRule
from advocacy.stats import services
from tests import factories
from tests.stats.conftest import FY
from tests.stats.lpaudit import differencing_violations, hidden_ranges

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 6, 2)


@pytest.fixture
def worker(users_by_role):
    return users_by_role["city_caseworker"]


@pytest.fixture
def rule(db):
    return SubsidyRule.objects.create(
        fiscal_year=FY,
        asset_ceiling_yen=1_000_000,
        monthly_cap_home_yen=28_000,
        monthly_cap_facility_yen=18_000,
    )


def asset_flag(worker, on=DAY):
    case = factories.canary_case(worker)
    return court.asset_change_record(actor=worker, case=case, noted_on=on, note="カナリア資産")


def fee(worker, *, categories=("elderly",), **overrides):
    case = factories.canary_case(worker, categories=list(categories))
    values = {
        "applied_on": DAY,
        "kind": "guardian_fee",
        "basis": "welfare",
        "assets_yen": 0,
        "residence": "home",
        "months": 12,
        "fee_awarded_yen": 240_000,
    }
    values.update(overrides)
    return court.subsidy_assess(actor=worker, case=case, **values)


def table(report, key):
    return next(t for t in report.tables() if t.key == key)


def release(users_by_role):
    made = services.report_release(
        actor=users_by_role["city_supervisor"], fiscal_year=FY, kind="before_committee"
    )
    return services.release_grids(made)


def test_flags_are_counted_by_reason_in_the_year_they_were_raised(worker):
    for _ in range(5):
        asset_flag(worker)
    asset_flag(worker, on=datetime.date(2026, 4, 1))  # the next fiscal year
    body = dict(table(services.report_build(fiscal_year=FY), "court_flags").body())
    assert body["説明のない大きな資産の変動"] == ["5"]
    assert body["親族からの苦情"] == ["0"]


@pytest.mark.parametrize("count", [1, 2, 4])
def test_a_small_count_of_flags_is_hidden_and_cannot_be_recovered(worker, count):
    for _ in range(count):
        asset_flag(worker)
    report = services.report_build(fiscal_year=FY)
    body = dict(table(report, "court_flags").body())
    assert body["説明のない大きな資産の変動"] == [services.HIDDEN]
    grids = [t.grid for t in report.tables() if t.follows is None]
    lo, hi, true = hidden_ranges(grids)[("court_flags", 2, 0)]
    assert true == count and hi - lo >= report.k


def test_subsidies_are_summed_by_budget_line_and_kind_with_overrides(worker, rule):
    for _ in range(4):
        fee(worker)  # 240,000 yen each (below the 336,000 yen cap)
    fee(worker, override_yen=100_000, override_reason="カナリア理由")
    fee(worker, basis="none")  # not eligible: not counted
    report = services.report_build(fiscal_year=FY)
    counts = dict(table(report, "court_subsidies").body())
    yen = dict(table(report, "court_subsidy_yen").body())
    assert counts["高齢"][1] == "5"  # the guardian-fee column
    assert yen["高齢"][1] == "1,060,000"  # 4 × 240,000 + the override's 100,000


def test_a_small_subsidy_cell_hides_its_yen_too_and_two_releases_reveal_nothing(
    worker, rule, users_by_role
):
    for _ in range(5):
        fee(worker)
    before = release(users_by_role)
    fee(worker, categories=("intellectual",))  # one disability-line fee
    report = services.report_build(fiscal_year=FY)
    assert table(report, "court_subsidies").body()[1][1][1] == services.HIDDEN
    assert table(report, "court_subsidy_yen").body()[1][1][1] == services.HIDDEN
    after = release(users_by_role)
    assert differencing_violations(before, after, services.threshold()) == []
