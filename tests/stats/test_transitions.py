"""日自 → guardianship transitions: who counts, in which fiscal year, and how it is published."""

from __future__ import annotations

import datetime

import pytest

from advocacy.cases.models import Decision
from advocacy.reference.models import GuardianshipType
from advocacy.stats import services
from advocacy.stats.selectors import daily_life_transitions
from tests import factories
from tests.stats.conftest import FY
from tests.stats.lpaudit import hidden_ranges

pytestmark = pytest.mark.django_db

DAILY_LIFE = "daily_life_support"
KEY = "daily_life_transitions"


def _release(worker):
    from advocacy.accounts.roles import Role

    supervisor = factories.user(Role.SUPERVISOR, organisation=worker.organisation)
    return services.report_release(actor=supervisor, fiscal_year=FY, kind="before_committee")


@pytest.fixture
def worker(users_by_role):
    return users_by_role["city_caseworker"]


def decide(worker, case, on, outcome="guardianship"):
    guardianship = GuardianshipType.objects.get(code="guardianship")
    return factories.case_record(
        worker,
        case,
        Decision(
            held_on=on,
            participants="カナリア参加者",
            outcome=outcome,
            guardianship_type=guardianship if outcome == "guardianship" else None,
            petitioner_type="relative",
            reasons="カナリア理由",
        ),
    )


def daily_life_then_guardianship(worker, *, opened, held_on):
    """A person's 日自 case, then a core-agency case of the same person deciding guardianship."""
    daily = factories.canary_case(worker, consulted_on=opened, purpose=DAILY_LIFE)
    core = factories.canary_case(worker, consulted_on=opened, person=daily.person)
    decide(worker, core, held_on)
    return daily, core


def figure(report) -> str:
    table = next(t for t in report.tables() if t.key == KEY)
    [(_label, [cell])] = table.body()
    return cell


def test_counts_a_person_who_moved_from_daily_life_support_to_guardianship(worker):
    daily_life_then_guardianship(
        worker, opened=datetime.date(2025, 4, 10), held_on=datetime.date(2025, 9, 1)
    )
    # A conference in the 日自 case itself counts too.
    own = factories.canary_case(worker, consulted_on=datetime.date(2025, 4, 10), purpose=DAILY_LIFE)
    decide(worker, own, datetime.date(2025, 10, 1))

    assert daily_life_transitions(FY) == 2


def test_other_outcomes_and_persons_without_daily_life_support_do_not_count(worker):
    daily = factories.canary_case(
        worker, consulted_on=datetime.date(2025, 4, 10), purpose=DAILY_LIFE
    )
    decide(worker, daily, datetime.date(2025, 9, 1), outcome="voluntary")
    core = factories.canary_case(worker, consulted_on=datetime.date(2025, 4, 10))
    decide(worker, core, datetime.date(2025, 9, 1))

    assert daily_life_transitions(FY) == 0


def test_a_daily_life_case_opened_after_the_conference_does_not_count(worker):
    core = factories.canary_case(worker, consulted_on=datetime.date(2025, 4, 10))
    decide(worker, core, datetime.date(2025, 9, 1))
    factories.canary_case(
        worker, consulted_on=datetime.date(2025, 9, 2), person=core.person, purpose=DAILY_LIFE
    )
    # Opened the same day as the conference: it followed the decision, not before it.
    same_day = factories.canary_case(worker, consulted_on=datetime.date(2025, 4, 10))
    decide(worker, same_day, datetime.date(2025, 9, 1))
    factories.canary_case(
        worker, consulted_on=datetime.date(2025, 9, 1), person=same_day.person, purpose=DAILY_LIFE
    )

    assert daily_life_transitions(FY) == 0


def test_a_person_counts_once_even_with_two_decisions(worker):
    _daily, core = daily_life_then_guardianship(
        worker, opened=datetime.date(2025, 4, 10), held_on=datetime.date(2025, 9, 1)
    )
    decide(worker, core, datetime.date(2025, 12, 1))

    assert daily_life_transitions(FY) == 1


def test_the_fiscal_year_runs_from_april_to_march(worker):
    opened = datetime.date(2024, 4, 10)
    daily_life_then_guardianship(worker, opened=opened, held_on=datetime.date(2025, 3, 31))
    daily_life_then_guardianship(worker, opened=opened, held_on=datetime.date(2025, 4, 1))
    daily_life_then_guardianship(worker, opened=opened, held_on=datetime.date(2026, 3, 31))
    daily_life_then_guardianship(worker, opened=opened, held_on=datetime.date(2026, 4, 1))

    assert daily_life_transitions(FY - 1) == 1
    assert daily_life_transitions(FY) == 2
    assert daily_life_transitions(FY + 1) == 1


def test_the_figure_is_suppressed_below_k_and_stays_hidden_once_published(worker):
    assert figure(services.report_build(fiscal_year=FY)) == "0"  # zeros are shown

    for i in range(4):
        daily_life_then_guardianship(
            worker, opened=datetime.date(2025, 4, 10), held_on=datetime.date(2025, 6, 1 + i)
        )
    assert figure(services.report_build(fiscal_year=FY)) == services.HIDDEN
    _release(worker)

    daily_life_then_guardianship(
        worker, opened=datetime.date(2025, 4, 10), held_on=datetime.date(2025, 7, 1)
    )
    assert daily_life_transitions(FY) == 5
    # Published hidden once, hidden for the rest of the year's releases.
    assert figure(services.report_build(fiscal_year=FY)) == services.HIDDEN
    assert figure(services.report_build(fiscal_year=FY + 1)) == "0"


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_every_count_from_one_to_k_minus_one_is_hidden(worker, count):
    for _ in range(count):
        daily_life_then_guardianship(
            worker, opened=datetime.date(2025, 4, 10), held_on=datetime.date(2025, 6, 1)
        )

    report = services.report_build(fiscal_year=FY)
    assert figure(report) == services.HIDDEN
    # Nothing published bounds it: every value from 0 up is consistent.
    grids = [t.grid for t in report.tables() if t.follows is None]
    lo, hi, true = hidden_ranges(grids)[(KEY, 0, 0)]
    assert (lo, true) == (0, count)
    assert hi - lo >= report.k


def test_k_or_more_is_shown_on_the_screen_and_in_every_export(client, users_by_role, worker):
    for _ in range(5):
        daily_life_then_guardianship(
            worker, opened=datetime.date(2025, 4, 10), held_on=datetime.date(2025, 6, 1)
        )
    report = services.report_build(fiscal_year=FY)
    assert figure(report) == "5"
    rows = services.report_rows(report)
    title = "日常生活自立支援事業から成年後見制度への移行"
    at = rows.index([title])
    assert rows[at + 1 : at + 3] == [["", "人数"], ["移行した人", "5"]]

    release = _release(worker)
    assert services.report_rows(services.release_report(release))[3:] == rows[3:]
    client.force_login(users_by_role["committee_member"])
    for url in ("/app/stats/", "/app/stats/print/"):
        html = client.get(url, {"year": FY}).content.decode()
        assert title in html
        assert "<tr><th>移行した人</th><td>5</td>" in html
    csv_text = client.get("/app/stats/export.csv", {"year": FY}).content.decode("utf-8-sig")
    assert "移行した人,5" in csv_text
