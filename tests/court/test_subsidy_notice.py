"""The subsidy decision notice (利用支援事業の決定通知書): filled from one application and its
computation, in Word and PDF; refused for an application still pending or of another case."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from http import HTTPStatus

import pytest

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.court.models import SubsidyRule
from advocacy.court.papers.templates import template_bytes, template_check
from tests import factories

from .conftest import client_for, subsidy_application, subsidy_assessed
from .test_papers import all_text, cells

pytestmark = pytest.mark.django_db

NAME = "助成 花子"
OTHER = "別件 三郎"
APPLIED = datetime.date(2026, 10, 1)
DECIDED = datetime.date(2026, 10, 20)


@pytest.fixture
def rule(db):
    return SubsidyRule.objects.create(
        fiscal_year=2026,
        asset_ceiling_yen=1_000_000,
        monthly_cap_home_yen=28_000,
        monthly_cap_facility_yen=18_000,
    )


@pytest.fixture
def granted(worker, rule):
    """An approved fee application, computed at 336,000 yen and decided at 300,000."""
    case = factories.case_for(worker, name=NAME, categories=["elderly"])
    assessment = subsidy_assessed(
        worker,
        case,
        applied_on=APPLIED,
        kind="guardian_fee",
        amount_yen=400_000,
        decision="approved",
        decided_on=DECIDED,
        basis="welfare",
        assets_yen=10_000,
        residence="home",
        months=12,
        fee_awarded_yen=400_000,
        override_yen=300_000,
        override_reason="架空の事情による減額",
    )
    # Another case's application, of another amount: none of it may reach the notice.
    other = factories.case_for(worker, name=OTHER, categories=["intellectual"])
    subsidy_assessed(
        worker,
        other,
        applied_on=APPLIED,
        kind="petition_cost",
        decision="approved",
        decided_on=DECIDED,
        basis="welfare",
        assets_yen=0,
        residence="facility",
        filing_fee_yen=7_777,
    )
    return assessment.application


def notice(user, application, fmt="docx", *, case=None):
    case_id = (case or application.case).pk
    return client_for(user).get(
        f"/app/court/cases/{case_id}/papers/subsidy_notice.{fmt}?application={application.pk}"
    )


def test_the_notice_in_word_holds_the_decision_the_amount_and_the_rule(worker, granted):
    response = notice(worker, granted)
    assert response.status_code == HTTPStatus.OK
    data = b"".join(response.streaming_content)
    table = cells(data)
    assert table["対象者の氏名"] == NAME
    assert table["助成の種別"] == "後見人等報酬"
    assert table["申請日"] == "令和8年10月1日"
    assert table["決定"] == "支給決定"
    assert table["決定日"] == "令和8年10月20日"
    assert table["助成額"] == "300,000円"  # the override, not the 336,000 computed
    assert table["適用した基準"] == "2026年度（令和8年度）"
    assert table["予算の区分"] == "高齢"
    text = all_text(data)
    assert OTHER not in text and "7,777" not in text and "申立費用" not in text
    assert "架空の事情による減額" not in text  # the override's reason is not the notice's
    event = AuditEvent.objects.get(action=Action.PAPER_GENERATED)
    assert "subsidy_notice docx guardian_fee 2026-10-01" in event.label
    assert NAME not in str(event.__dict__)


def test_the_notice_in_pdf_holds_the_same_values(worker, granted):
    response = notice(worker, granted, "pdf")
    assert response.status_code == HTTPStatus.OK and response["Content-Type"] == "application/pdf"
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-layout", "-", "-"],
        input=b"".join(response.streaming_content),
        capture_output=True,
        check=True,
    ).stdout.decode()
    # pdftotext spaces Latin figures from Japanese ("令和 8 年"): compare without spaces.
    flat = "".join(text.split())
    assert "".join(NAME.split()) in flat
    assert "決定支給決定" in flat and "助成額300,000円" in flat and "令和8年度" in flat
    assert "予算の区分高齢" in flat
    assert "".join(OTHER.split()) not in flat and "7,777" not in flat


def test_an_application_not_computed_gives_its_own_amount_and_blank_rule(worker, rule):
    case = factories.case_for(worker, name=NAME)
    application = subsidy_application(
        worker,
        case,
        applied_on=APPLIED,
        kind="petition_cost",
        amount_yen=12_345,
        decision="approved",
        decided_on=DECIDED,
    )
    table = cells(b"".join(notice(worker, application).streaming_content))
    assert table["助成額"] == "12,345円"
    assert table["適用した基準"] == "" and table["予算の区分"] == ""


def test_a_rejected_application_is_noticed_with_no_amount(worker, rule):
    case = factories.case_for(worker, name=NAME)
    application = subsidy_application(
        worker,
        case,
        applied_on=APPLIED,
        amount_yen=50_000,
        decision="rejected",
        decided_on=DECIDED,
    )
    table = cells(b"".join(notice(worker, application).streaming_content))
    assert table["決定"] == "却下" and table["助成額"] == "0円"


def test_a_pending_application_is_refused_with_a_message_and_nothing_generated(worker, rule):
    case = factories.case_for(worker, name=NAME)
    application = subsidy_application(worker, case, applied_on=APPLIED, amount_yen=1)
    client = client_for(worker)
    response = client.get(
        f"/app/court/cases/{case.pk}/papers/subsidy_notice.docx?application={application.pk}",
        follow=True,
    )
    assert response.redirect_chain[0][1] == HTTPStatus.FOUND
    assert "審査中の申請の決定通知書は作成できません" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.PAPER_GENERATED).exists()


def test_without_an_application_the_notice_is_refused_with_a_message(worker, granted):
    response = client_for(worker).get(
        f"/app/court/cases/{granted.case_id}/papers/subsidy_notice.docx"
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not AuditEvent.objects.filter(action=Action.PAPER_GENERATED).exists()


def test_another_cases_application_through_this_case_is_not_found(worker, granted):
    other = factories.case_for(worker, name="第三 四郎")
    assert notice(worker, granted, case=other).status_code == HTTPStatus.NOT_FOUND
    assert not AuditEvent.objects.filter(action=Action.PAPER_GENERATED).exists()


def test_staff_of_another_organisation_get_no_notice(granted, users_by_role):
    response = notice(users_by_role["council_caseworker"], granted)
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_case_page_offers_the_notice_for_a_decided_application_only(worker, granted):
    pending = subsidy_application(worker, granted.case, applied_on=APPLIED, amount_yen=1)
    page = client_for(worker).get(f"/app/cases/{granted.case_id}/").content.decode()
    link = f"/app/court/cases/{granted.case_id}/papers/subsidy_notice.docx?application="
    assert f"{link}{granted.pk}" in page
    assert f"{link}{pending.pk}" not in page


def test_the_default_notice_passes_its_check():
    assert {"subsidy_amount", "subsidy_fiscal_year", "subsidy_budget_line"} <= template_check(
        "subsidy_notice", template_bytes("subsidy_notice")
    )
