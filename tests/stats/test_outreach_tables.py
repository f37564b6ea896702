"""The yearly report's outreach tables: events by kind, feedback given against due; suppressed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from advocacy.outreach import services as outreach
from advocacy.outreach.models import Feedback, OutreachEvent
from advocacy.stats import services
from tests import factories
from tests.stats.lpaudit import differencing_violations, hidden_ranges

pytestmark = pytest.mark.django_db

FY = 2026
DAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def default_workflow_settings(settings):
    settings.WORKFLOWS = {}


def _event(worker, kind, *, residents=0, day=DAY, **kwargs):
    return outreach.event_save(
        actor=worker,
        event=OutreachEvent(
            held_on=day,
            title="架空の催し",
            kind=kind,
            audience="residents",
            organiser="city",
            attended_residents=residents,
        ),
        **kwargs,
    )


def _table(report, key):
    return next(t for t in report.tables() if t.key == key)


def _cells(report, key):
    return dict(_table(report, key).body())


def test_events_are_counted_by_kind_with_attendance_and_consultations(users_by_role):
    worker = users_by_role["city_caseworker"]
    for _ in range(6):
        _event(worker, "resident_seminar", residents=10)
    general = [factories_general(worker) for _ in range(5)]
    _event(worker, "open_consultation", residents=8, general_consultations=general)
    _event(worker, "briefing", day=datetime.date(2027, 4, 1))  # the next fiscal year

    report = services.report_build(fiscal_year=FY)

    cells = _cells(report, "outreach_events")
    assert cells["住民向けセミナー・講演会"][1:] == ["60", "0"]
    # One consultation day: a count of 1 is hidden, and what would recompute it with it.
    assert services.HIDDEN in cells["なんでも相談会"]
    assert cells["民生委員・ケアマネジャー等への説明会"] == ["0", "0", "0"]
    table = _table(report, "outreach_events")
    raw = table.grid.cells
    kinds = [code for code, _l in table.rows]
    assert raw[kinds.index("open_consultation")] == [1, 8, 5]
    assert raw[kinds.index("resident_seminar")] == [6, 60, 0]
    for key, (lo, hi, true) in hidden_ranges([table.grid]).items():
        assert hi - lo >= report.k, (key, lo, hi, true)


def factories_general(worker):
    from advocacy.cases.models import GeneralConsultation
    from advocacy.cases.services import general_consultation_record

    return general_consultation_record(
        actor=worker,
        consultation=GeneralConsultation(
            consulted_on=DAY, channel="visit", referrer_type="self", minutes=10, outcome="referred"
        ),
    )


def test_feedback_given_is_counted_against_feedback_due(users_by_role):
    worker = users_by_role["city_caseworker"]
    cases = [
        factories.case_for(worker, intake=True, feedback_consent="given", name=f"架空{i}")
        for i in range(8)
    ]
    factories.case_for(worker, intake=True, feedback_consent="not_given", name="架空同意なし")
    for case in cases[:6]:
        outreach.feedback_give(
            actor=worker,
            feedback=Feedback.objects.get(case=case),
            given_on=timezone.localdate(),
            method="phone",
            told="架空の経過",
        )

    report = services.report_build(fiscal_year=FY)

    table = _table(report, "feedback")
    rows = [code for code, _l in table.rows]
    assert table.grid.cells[rows.index("taken_on")] == [6, 2]
    assert sum(sum(row) for row in table.grid.cells) == 8  # the case without consent owes none
    for key, (lo, hi, true) in hidden_ranges([table.grid]).items():
        assert hi - lo >= report.k, (key, lo, hi, true)


def test_two_releases_one_event_apart_reveal_nothing(users_by_role):
    worker = users_by_role["city_caseworker"]
    supervisor = users_by_role["city_supervisor"]
    for kind in ("resident_seminar", "briefing", "professional_training"):
        for _ in range(6):
            _event(worker, kind, residents=7)

    def release():
        made = services.report_release(actor=supervisor, fiscal_year=FY, kind="before_committee")
        return [g for g in services.release_grids(made) if g.key == "outreach_events"]

    before = release()
    _event(worker, "visiting_consultation", residents=3)
    after = release()

    assert differencing_violations(before, after, services.threshold()) == []
