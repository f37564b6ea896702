"""The court's side in the yearly report: flags by reason, subsidy applications by kind and
decision (the approved by budget line) with their yen; small cells suppressed so that neither
one release nor two differenced recover them."""

from __future__ import annotations

import datetime

import pytest

from advocacy.court import services as court
from advocacy.court.models import SubsidyRule
from advocacy.stats import services
from tests import factories
from tests.court.conftest import subsidy_application, subsidy_assessed
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


def fee(worker, *, categories=("elderly",), decision="approved", **overrides):
    """An approved guardian-fee application of a new case, computed by the year's rule."""
    case = factories.canary_case(worker, categories=list(categories))
    values = {
        "applied_on": DAY,
        "kind": "guardian_fee",
        "basis": "welfare",
        "assets_yen": 0,
        "residence": "home",
        "months": 12,
        "fee_awarded_yen": 240_000,
        "amount_yen": 999,
    }
    values.update(overrides)
    decided = datetime.date(2025, 7, 1) if decision != "pending" else None
    return subsidy_assessed(worker, case, decision=decision, decided_on=decided, **values)


def application(worker, *, decision="approved", kind="guardian_fee", amount_yen=50_000, day=DAY):
    """An application with no computation."""
    case = factories.canary_case(worker, categories=["elderly"])
    decided = day + datetime.timedelta(days=30) if decision != "pending" else None
    return subsidy_application(
        worker,
        case,
        applied_on=day,
        kind=kind,
        amount_yen=amount_yen,
        decision=decision,
        decided_on=decided,
    )


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


# The subsidy section (decision 95): applications by kind × decision, the approved ones by
# the budget line of their computation; yen beside them.
COLUMNS = [
    "審査中",
    "却下",
    "支給決定・高齢",
    "支給決定・障害",
    "支給決定・その他",
    "支給決定・算定なし",
]


def test_one_subsidy_section_of_two_tables_replaces_the_two_of_before(worker, rule):
    report = services.report_build(fiscal_year=FY)
    keys = {t.key for t in report.tables()}
    assert {"subsidy_applications", "subsidy_amounts"} <= keys
    assert not keys & {"subsidies", "subsidy_yen", "court_subsidies", "court_subsidy_yen"}
    applications = table(report, "subsidy_applications")
    assert applications.header() == [*COLUMNS, "計"]


def test_applications_are_counted_by_kind_and_decision_the_approved_by_budget_line(worker, rule):
    for _ in range(5):
        fee(worker)  # 240,000 yen each (below the 336,000 yen cap), 高齢
    fee(worker, override_yen=100_000, override_reason="カナリア理由")  # 高齢, at the override
    for _ in range(5):
        fee(worker, categories=("intellectual",))  # 障害
    for _ in range(5):
        application(worker)  # approved, not computed: the application's own 50,000 yen
    for _ in range(5):
        fee(worker, decision="pending", amount_yen=70_000)  # pending: the amount applied for
    for _ in range(5):
        application(worker, decision="rejected", amount_yen=30_000)
    application(worker, day=datetime.date(2026, 4, 1))  # the next fiscal year: not counted
    report = services.report_build(fiscal_year=FY)
    counts = dict(table(report, "subsidy_applications").body())
    yen = dict(table(report, "subsidy_amounts").body())
    assert counts["後見人等報酬"] == ["5", "5", "6", "5", "0", "5", "26"]
    assert counts["申立費用"] == ["0"] * 7
    assert yen["後見人等報酬"] == [
        "350,000",  # 5 × 70,000 applied for
        "150,000",  # 5 × 30,000 applied for
        "1,300,000",  # 5 × 240,000 + the override's 100,000
        "1,200,000",  # 5 × 240,000
        "0",
        "250,000",  # 5 × 50,000, the applications' amounts
        "3,250,000",
    ]


def test_an_ineligible_approved_application_counts_at_its_computed_zero(worker, rule):
    for _ in range(5):
        fee(worker, basis="none")  # not eligible: computed 0 yen, yet approved (by hand)
    report = services.report_build(fiscal_year=FY)
    assert dict(table(report, "subsidy_applications").body())["後見人等報酬"][2] == "5"
    assert dict(table(report, "subsidy_amounts").body())["後見人等報酬"][2] == "0"


@pytest.mark.parametrize("count", [1, 2, 4])
def test_a_small_subsidy_cell_is_hidden_with_its_yen_and_cannot_be_recovered(worker, rule, count):
    for _ in range(6):
        fee(worker)
    for _ in range(5):
        application(worker, decision="rejected")
    for _ in range(count):
        fee(worker, categories=("intellectual",))  # the small 障害 cell
    report = services.report_build(fiscal_year=FY)
    fees = table(report, "subsidy_applications").body()[1][1]
    assert fees[3] == services.HIDDEN
    assert table(report, "subsidy_amounts").body()[1][1][3] == services.HIDDEN
    grids = [t.grid for t in report.tables() if t.follows is None]
    for (key, _r, _c), (lo, hi, _true) in hidden_ranges(grids).items():
        if key == "subsidy_applications":
            assert hi - lo >= report.k
    lo, hi, true = hidden_ranges(grids)[("subsidy_applications", 1, 3)]
    assert true == count and hi - lo >= report.k


def test_a_new_small_subsidy_cell_and_two_releases_reveal_nothing(worker, rule, users_by_role):
    for _ in range(5):
        fee(worker)
    before = release(users_by_role)
    fee(worker, categories=("intellectual",))  # one disability-line fee
    report = services.report_build(fiscal_year=FY)
    assert table(report, "subsidy_applications").body()[1][1][3] == services.HIDDEN
    assert table(report, "subsidy_amounts").body()[1][1][3] == services.HIDDEN
    after = release(users_by_role)
    assert differencing_violations(before, after, services.threshold()) == []
