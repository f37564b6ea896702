"""The national survey workbook: each figure from records built through the services."""

from __future__ import annotations

import datetime
import io
from http import HTTPStatus

import pytest
from django.test import Client
from openpyxl import load_workbook

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import (
    Decision,
    GeneralConsultation,
    GuardianAppointment,
    Petition,
    Subsidy,
)
from advocacy.cases.services import general_consultation_record
from advocacy.outreach import services as outreach
from advocacy.outreach.models import OutreachEvent
from advocacy.portal import services as portal
from advocacy.reference.models import GuardianshipType
from advocacy.stats import survey
from tests import factories
from tests.portal.conftest import summary_for
from tests.portal.otp import force_login_verified

pytestmark = pytest.mark.django_db

FY = 2026
URL = "/app/stats/survey.xlsx"


@pytest.fixture(autouse=True)
def default_workflow_settings(settings):
    settings.WORKFLOWS = {}


def _items(fiscal_year=FY) -> dict[str, survey.Item]:
    return {
        item.number: item
        for section in survey.survey_build(fiscal_year=fiscal_year)
        for item in section.items
    }


def _world(worker):
    guardianship = GuardianshipType.objects.get(code="guardianship")
    elderly = [
        factories.case_for(worker, name=f"高齢{i}", categories=["elderly"]) for i in range(3)
    ]
    disabled = factories.case_for(
        worker,
        name="障害",
        categories=["elderly", "intellectual"],
        consulted_on=datetime.date(2026, 5, 1),
    )
    unknown = factories.case_for(worker, name="不明")
    for case in [*elderly[:2], disabled]:
        factories.case_record(
            worker,
            case,
            Decision(
                held_on=datetime.date(2026, 5, 10),
                participants="架空",
                outcome="guardianship",
                guardianship_type=guardianship,
                petitioner_type="mayor",
                reasons="架空",
            ),
        )
        factories.case_record(
            worker,
            case,
            Petition(
                petitioner_type="mayor",
                approved_on=datetime.date(2026, 5, 12),
                filed_on=datetime.date(2026, 5, 15),
            ),
        )
    factories.case_record(
        worker,
        elderly[0],
        Subsidy(
            kind="petition_cost",
            applied_on=datetime.date(2026, 5, 20),
            amount_yen=10000,
            decision="approved",
            decided_on=datetime.date(2026, 6, 1),
        ),
    )
    factories.case_record(
        worker,
        disabled,
        Subsidy(
            kind="guardian_fee",
            applied_on=datetime.date(2026, 5, 20),
            amount_yen=20000,
            decision="rejected",
            decided_on=datetime.date(2026, 6, 1),
        ),
    )
    factories.case_record(
        worker,
        elderly[1],
        GuardianAppointment(
            kind="person",
            profession="citizen_guardian",
            name="架空後見人",
            appointed_on=datetime.date(2026, 7, 1),
        ),
    )
    outreach.event_save(
        actor=worker,
        event=OutreachEvent(
            held_on=datetime.date(2026, 6, 1),
            title="架空の研修",
            kind="professional_training",
            audience="professionals",
            organiser="professional_body",
            attended_professionals=12,
        ),
    )
    general_consultation_record(
        actor=worker,
        consultation=GeneralConsultation(
            consulted_on=datetime.date(2026, 6, 1),
            channel="visit",
            referrer_type="self",
            minutes=10,
            outcome="referred",
        ),
    )
    # Two requests for one case (the first withdrawn, as a case allows one open request at a
    # time): one case coordinated.
    lawyer = factories.professional_user().professional
    for _ in range(2):
        sent = portal.request_send(
            actor=worker,
            case=elderly[0],
            professional=lawyer,
            need="legal",
            summary=summary_for(elderly[0]),
            portal_url="/app/portal/",
        )
        portal.request_withdraw(actor=worker, request=sent)
    return elderly, disabled, unknown


def test_each_item_counts_what_its_definition_says(users_by_role):
    worker = users_by_role["city_caseworker"]
    _world(worker)

    items = _items()

    assert items["1-1"].cells() == [3, 1, 1, 5]
    assert items["1-2"].cells() == [3, 1, 1, 5]  # every first consultation is new
    assert items["1-3"].cells() == [3, 1, 1, 5]
    assert items["1-4"].cells() == ["", "", "", 1]
    assert items["2-2"].cells() == [1, 0, 0, 1]
    assert items["2-1"].cells() == [2, 1, 0, 3]
    assert items["3-1"].cells() == [2, 1, 0, 3]
    assert items["4-1"].cells() == [1, 0, 0, 1]  # granted petition costs
    assert items["4-2"].cells() == [0, 0, 0, 0]  # a rejected fee subsidy is not granted
    assert items["5-3"].total == 1 and items["5-3"].attendance == 12
    assert items["6-4"].total == 1  # the citizen guardian appointed
    assert items["6-5"].total == 0
    assert (items["6-1"].total, items["6-2"].total, items["6-3"].total) == (0, 0, 0)
    # The yearly report counts the same appointment.
    from advocacy.stats import services as stats

    report = stats.report_build(fiscal_year=FY)
    table = next(t for t in report.tables() if t.key == "guardian_development")
    assert [row[0] for row in table.grid.cells] == [0, 0, 0, 1, 0]


def test_a_supervisor_downloads_it_marked_not_for_publication_and_audited(users_by_role):
    worker = users_by_role["city_caseworker"]
    _world(worker)
    client = force_login_verified(Client(), users_by_role["city_supervisor"])

    response = client.get(URL, {"year": FY})

    assert response.status_code == HTTPStatus.OK
    book = load_workbook(io.BytesIO(response.content))
    for sheet in book.worksheets:
        assert sheet["A1"].value == survey.NOT_FOR_PUBLICATION
    rows = {row[0]: row for row in book["3"].iter_rows(values_only=True) if row[0]}
    assert rows["3-1"][2:6] == (2, 1, 0, 3)
    # Every item names its definition and the table it comes from.
    for sheet in book.worksheets[1:]:
        for row in sheet.iter_rows(min_row=4, values_only=True):
            if row[0] and not str(row[0]).endswith("a"):
                assert row[6] and row[7], row
    assert AuditEvent.objects.filter(action=Action.SURVEY_EXPORTED).count() == 1


def test_a_year_with_no_data_gives_an_empty_valid_workbook(users_by_role):
    client = force_login_verified(Client(), users_by_role["city_supervisor"])

    response = client.get(URL, {"year": 2020})

    assert response.status_code == HTTPStatus.OK
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 7
    figures = [
        cell
        for sheet in book.worksheets[1:]
        for row in sheet.iter_rows(min_row=4, min_col=3, max_col=6, values_only=True)
        for cell in row
        if isinstance(cell, int)
    ]
    assert figures and set(figures) == {0}


@pytest.mark.parametrize("role", ["city_caseworker", "committee_member", "professional"])
def test_only_a_supervisor_may_download_it(users_by_role, role):
    client = force_login_verified(Client(), users_by_role[role])
    assert client.get(URL, {"year": FY}).status_code == HTTPStatus.FORBIDDEN
    assert not AuditEvent.objects.filter(action=Action.SURVEY_EXPORTED).exists()


def test_a_year_out_of_range_is_a_clear_error(users_by_role):
    client = force_login_verified(Client(), users_by_role["city_supervisor"])
    response = client.get(URL, {"year": "abc"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "年度を選んでください" in response.content.decode()


def test_citizen_guardians_trained_completed_registered_are_counted(users_by_role):
    from advocacy.outreach.models import Trainee, TrainingCourse
    from advocacy.stats import services as stats

    council = users_by_role["council_caseworker"]
    course = outreach.course_create(
        actor=council,
        course=TrainingCourse(
            title="養成研修",
            cohort=1,
            starts_on=datetime.date(2026, 5, 1),
            sessions=2,
            required_sessions=2,
        ),
    )
    trainees = [
        outreach.trainee_enrol(
            actor=council, course=course, trainee=Trainee(name=f"架空 受講{i}", kana="かくう")
        )
        for i in range(7)
    ]
    for session in (1, 2):
        outreach.attendance_record(
            actor=council, course=course, session=session, present=trainees[:6]
        )
    for trainee in trainees[:6]:
        outreach.trainee_complete(actor=council, trainee=trainee, on=datetime.date(2026, 6, 1))
    for trainee in trainees[:5]:
        outreach.trainee_register(
            actor=council,
            trainee=trainee,
            on=datetime.date(2026, 6, 10),
            backup="supervision",
            area_codes=[],
        )
    outreach.corporate_candidate_set(actor=council, capacity=10)

    items = _items()
    assert (items["6-1"].total, items["6-2"].total, items["6-3"].total) == (7, 6, 5)
    report = stats.report_build(fiscal_year=FY)
    table = next(t for t in report.tables() if t.key == "guardian_development")
    assert [row[0] for row in table.grid.cells] == [7, 6, 5, 0, 0]
    shown = dict(table.body())
    assert shown["養成研修の受講者（開講日で数える）"] == ["7"]
    # Zeros are shown; nothing small is published.
    from tests.stats.lpaudit import hidden_ranges

    for key, (lo, hi, true) in hidden_ranges([table.grid]).items():
        assert hi - lo >= report.k, (key, lo, hi, true)


def test_a_computed_subsidy_takes_its_budget_line_and_one_not_computed_its_persons_group(
    users_by_role,
):
    from advocacy.court.models import SubsidyRule
    from tests.court.conftest import subsidy_application, subsidy_assessed

    worker = users_by_role["city_caseworker"]
    # The city pays this person's fee from the elderly line, though by their categories the
    # survey would count them as 障害者 (decision 77).
    SubsidyRule.objects.create(
        fiscal_year=FY,
        asset_ceiling_yen=1_000_000,
        monthly_cap_home_yen=28_000,
        monthly_cap_facility_yen=18_000,
        budget_lines={"elderly": "elderly", "intellectual": "disability"},
    )
    both = factories.case_for(worker, name="両方", categories=["elderly", "intellectual"])
    line = subsidy_assessed(
        worker,
        both,
        applied_on=datetime.date(2026, 5, 20),
        kind="guardian_fee",
        decision="approved",
        decided_on=datetime.date(2026, 6, 1),
        basis="welfare",
        assets_yen=0,
        residence="home",
        months=6,
        fee_awarded_yen=100_000,
    )
    assert line.budget_line == "elderly"
    # Not computed: the person's group, 障害者.
    subsidy_application(
        worker,
        factories.case_for(worker, name="障害のみ", categories=["intellectual"]),
        applied_on=datetime.date(2026, 5, 20),
        kind="guardian_fee",
        amount_yen=20_000,
        decision="approved",
        decided_on=datetime.date(2026, 6, 1),
    )
    # Computed but still pending: not granted, not counted.
    subsidy_assessed(
        worker,
        factories.case_for(worker, name="審査中", categories=["elderly"]),
        applied_on=datetime.date(2026, 5, 20),
        kind="guardian_fee",
        basis="welfare",
        assets_yen=0,
        residence="home",
    )

    assert _items()["4-2"].cells() == [1, 1, 0, 2]
