"""The meetings tables of the yearly report: what they count, and that suppression holds."""

from __future__ import annotations

import datetime

import pytest

from advocacy.accounts.roles import Role
from advocacy.meetings.models import AgendaItem, Meeting, Member
from advocacy.stats import services
from tests import factories
from tests.stats.conftest import FY
from tests.stats.lpaudit import changed_cells, differencing_violations, hidden_ranges

pytestmark = pytest.mark.django_db

KEYS = ("meetings_held", "meeting_cases", "meeting_outside_members")


def _meeting(worker, kind, held_on):
    # Rows as the services leave them (the services refuse past-dated agendas only after
    # the agenda is sent, which these have not): one per meeting of the year's calendar.
    return Meeting.objects.create(
        organisation=worker.organisation, kind=kind, held_on=held_on, created_by=worker
    )


def _outside(meeting, organisation_type):
    return Member.objects.create(
        meeting=meeting,
        is_outside=True,
        name="架空 委員",
        organisation_type=organisation_type,
    )


@pytest.fixture
def meetings_world(stats_world):
    users, cases = stats_world
    worker = users["city_caseworker"]
    for i in range(6):
        meeting = _meeting(worker, Meeting.Kind.SUPPORT, datetime.date(2025, 5, 1 + i))
        for case in cases[i * 3 : i * 3 + 3]:
            AgendaItem.objects.create(meeting=meeting, case=case, person_id=case.person_id)
        _outside(meeting, Member.OrganisationType.CARE_MANAGEMENT)
    # Rare: one 定例会 with one case, one outside member from the court.
    regular = _meeting(worker, Meeting.Kind.REGULAR, datetime.date(2025, 9, 1))
    AgendaItem.objects.create(meeting=regular, case=cases[0], person_id=cases[0].person_id)
    _outside(regular, Member.OrganisationType.COURT)
    # Another year's meeting is not counted.
    _meeting(worker, Meeting.Kind.SUPPORT, datetime.date(FY + 1, 4, 1))
    return users, cases


def _release(users):
    supervisor = factories.user(Role.SUPERVISOR, organisation=users["city_caseworker"].organisation)
    release = services.report_release(actor=supervisor, fiscal_year=FY, kind="before_committee")
    return services.release_grids(release)


def test_meetings_cases_and_outside_members_are_counted_by_kind(meetings_world):
    report = services.report_build(fiscal_year=FY)
    tables = {t.key: t for t in report.tables() if t.key in KEYS}
    kinds = [code for code, _label in tables["meetings_held"].rows]

    held = dict(zip(kinds, (row[0] for row in tables["meetings_held"].grid.cells), strict=True))
    cases = dict(zip(kinds, (row[0] for row in tables["meeting_cases"].grid.cells), strict=True))
    assert held["support"] == 6 and held["regular"] == 1 and held["committee"] == 0
    assert cases["support"] == 18 and cases["regular"] == 1
    types = [code for code, _label in tables["meeting_outside_members"].rows]
    members = dict(
        zip(types, (r[0] for r in tables["meeting_outside_members"].grid.cells), strict=True)
    )
    assert members["care_management"] == 6 and members["court"] == 1


def test_a_small_meeting_cell_cannot_be_recovered_from_one_release(meetings_world):
    users, _cases = meetings_world
    grids = [g for g in _release(users) if g.key in KEYS]

    ranges = hidden_ranges(grids)
    k = services.threshold()
    small = [(key, r, c) for (key, r, c), (lo, hi, true) in ranges.items() if 0 < true < k]
    assert small, "the rare 定例会 and court member should be hidden"
    for cell in small:
        lo, hi, _true = ranges[cell]
        assert hi - lo >= k or lo == 0, cell


def test_one_more_outside_member_between_releases_reveals_nothing(meetings_world):
    users, _cases = meetings_world
    before = _release(users)
    _outside(Meeting.objects.get(kind=Meeting.Kind.REGULAR), Member.OrganisationType.ACADEMIC)
    after = _release(users)

    assert changed_cells(before, after)
    assert differencing_violations(before, after, services.threshold()) == []
