"""The subsidy programme's rules (成年後見制度利用支援事業): versioned by fiscal year, applied
at their boundaries; an override needs its reason."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Contact
from advocacy.court.models import SubsidyAssessment, SubsidyRule
from tests import factories

from .conftest import client_for, subsidy_application, subsidy_assessed

pytestmark = pytest.mark.django_db

CEILING = 1_000_000


@pytest.fixture
def rules(db):
    """Fiscal 2026 and a stricter fiscal 2027, as a system administrator would enter them."""
    return {
        2026: SubsidyRule.objects.create(
            fiscal_year=2026,
            asset_ceiling_yen=CEILING,
            monthly_cap_home_yen=28_000,
            monthly_cap_facility_yen=18_000,
        ),
        2027: SubsidyRule.objects.create(
            fiscal_year=2027,
            non_taxed_eligible=False,
            asset_ceiling_yen=500_000,
            covers_examination=False,
            monthly_cap_home_yen=25_000,
            monthly_cap_facility_yen=15_000,
        ),
    }


def fee(worker, case, **overrides):
    values = {
        "applied_on": datetime.date(2026, 10, 1),
        "kind": "guardian_fee",
        "basis": "non_taxed",
        "assets_yen": 10_000,
        "residence": "home",
        "months": 12,
        "fee_awarded_yen": 400_000,
    }
    values.update(overrides)
    return subsidy_assessed(worker, case, **values)


@pytest.mark.parametrize(
    ("assets", "eligible"), [(CEILING - 1, True), (CEILING, True), (CEILING + 1, False)]
)
def test_the_asset_ceiling_at_its_boundary(worker, case, rules, assets, eligible):
    assessment = fee(worker, case, assets_yen=assets)
    assert assessment.eligible is eligible
    assert assessment.computed_yen == (336_000 if eligible else 0)  # 28,000 yen × 12


def test_the_monthly_cap_depends_on_where_the_person_lives(worker, case, rules):
    assert fee(worker, case, residence="facility").computed_yen == 18_000 * 12
    # A fee award below the cap is paid in full.
    assert fee(worker, case, fee_awarded_yen=100_000).computed_yen == 100_000


def test_a_fiscal_year_change_applies_the_new_years_rule(worker, case, rules):
    march = fee(worker, case, applied_on=datetime.date(2027, 3, 31))
    april = fee(worker, case, applied_on=datetime.date(2027, 4, 1))
    assert march.rule == rules[2026] and march.eligible
    # Fiscal 2027 no longer covers non-taxed households.
    assert april.rule == rules[2027] and not april.eligible and april.computed_yen == 0
    welfare = fee(worker, case, applied_on=datetime.date(2027, 4, 1), basis="welfare")
    assert welfare.computed_yen == 25_000 * 12


def test_petition_costs_covered_by_the_years_rule(worker, case, rules):
    costs = {
        "kind": "petition_cost",
        "basis": "welfare",
        "filing_fee_yen": 10_000,
        "examination_yen": 50_000,
        "certificate_yen": 5_000,
    }
    assert fee(worker, case, **costs).computed_yen == 65_000
    later = fee(worker, case, applied_on=datetime.date(2027, 5, 1), **costs)
    assert later.computed_yen == 15_000  # 2027 no longer covers the examination


def test_the_budget_line_follows_the_persons_category(worker, rules):
    elderly = factories.case_for(worker, categories=["elderly"])
    disabled = factories.case_for(worker, categories=["intellectual"])
    none = factories.case_for(worker)
    assert fee(worker, elderly).budget_line == "elderly"
    assert fee(worker, disabled).budget_line == "disability"
    assert fee(worker, none).budget_line == "other"


def test_no_rule_for_the_year_is_a_clear_refusal(worker, case, rules):
    with pytest.raises(ValidationError, match="2030年度の利用支援事業の基準がありません"):
        fee(worker, case, applied_on=datetime.date(2030, 6, 1))
    assert not SubsidyAssessment.objects.exists()


def test_an_override_keeps_the_computed_amount_beside_it(worker, case, rules):
    assessment = fee(worker, case, override_yen=300_000, override_reason="架空の事情による減額")
    assert assessment.computed_yen == 336_000 and assessment.amount_yen == 300_000
    event = AuditEvent.objects.get(action=Action.SUBSIDY_ASSESSED)
    assert event.reason == "override"


def _post(worker, case, application, **changes):
    data = {
        "application": str(application.pk),
        "basis": "welfare",
        "assets_yen": "10000",
        "residence": "home",
        "months": "12",
        "fee_awarded_yen": "400000",
        "filing_fee_yen": "0",
        "examination_yen": "0",
        "certificate_yen": "0",
    }
    data.update(changes)
    return client_for(worker).post(f"/app/court/cases/{case.pk}/subsidy/", data)


def test_an_override_without_a_reason_is_refused_on_screen_and_nothing_saved(worker, case, rules):
    application = subsidy_application(worker, case, applied_on=datetime.date(2026, 10, 1))
    response = client_for(worker).post(
        f"/app/court/cases/{case.pk}/subsidy/",
        {
            "application": str(application.pk),
            "basis": "welfare",
            "assets_yen": "10000",
            "residence": "home",
            "months": "12",
            "fee_awarded_yen": "400000",
            "filing_fee_yen": "0",
            "examination_yen": "0",
            "certificate_yen": "0",
            "override_yen": "1",
            "override_reason": " ",
        },
    )
    assert response.status_code == 422
    assert "決定額を変更する理由を入れてください" in response.content.decode()
    assert not SubsidyAssessment.objects.exists()
    with pytest.raises(ValidationError):
        fee(worker, case, override_yen=1, override_reason="")
    assert not SubsidyAssessment.objects.exists()


def test_the_screen_shows_the_rule_applied_and_the_amount(worker, case, rules):
    fee(worker, case)
    page = client_for(worker).get(f"/app/court/cases/{case.pk}/subsidy/").content.decode()
    assert "2026年度の基準" in page and "336000円" in page


def test_the_application_on_the_case_page_shows_its_rule_and_amounts(worker, case, rules):
    fee(worker, case, override_yen=300_000, override_reason="架空の事情による減額")
    page = client_for(worker).get(f"/app/cases/{case.pk}/").content.decode()
    assert 'data-testid="subsidy"' in page
    assert "2026年度の基準" in page and "336000円" in page and "300000円（変更）" in page
    # The reason is encrypted and not shown (nor audited) on the case page.
    assert "架空の事情による減額" not in page


def test_the_screen_computes_the_chosen_application_and_computing_again_replaces_it(
    worker, case, rules
):
    application = subsidy_application(worker, case, applied_on=datetime.date(2026, 10, 1))
    assert _post(worker, case, application).status_code == HTTPStatus.FOUND
    assert _post(worker, case, application, residence="facility").status_code == HTTPStatus.FOUND
    assessment = SubsidyAssessment.objects.get()
    assert assessment.application == application and assessment.case == case
    assert assessment.computed_yen == 18_000 * 12  # the second computation's facts
    assert AuditEvent.objects.filter(action=Action.SUBSIDY_ASSESSED).count() == 2


def test_another_cases_application_cannot_be_computed_from_this_case(worker, case, rules):
    other = factories.case_for(worker, name="別件 次郎")
    theirs = subsidy_application(worker, other, applied_on=datetime.date(2026, 10, 1))
    response = _post(worker, case, theirs)
    assert response.status_code == 422
    assert not SubsidyAssessment.objects.exists()


def test_another_organisations_staff_cannot_assess(case, rules, users_by_role):
    client = client_for(users_by_role["council_caseworker"])
    assert client.get(f"/app/court/cases/{case.pk}/subsidy/").status_code == 404


def test_the_system_administrator_edits_the_rules_in_the_admin(users_by_role, rules):
    admin = client_for(users_by_role["system_admin"])
    response = admin.post(
        f"/admin/court/subsidyrule/{rules[2026].pk}/change/",
        {
            "fiscal_year": "2026",
            "welfare_eligible": "on",
            "non_taxed_eligible": "on",
            "asset_ceiling_yen": "1200000",
            "covers_filing_fee": "on",
            "covers_examination": "on",
            "covers_certificate": "on",
            "monthly_cap_home_yen": "28000",
            "monthly_cap_facility_yen": "18000",
            "budget_lines": '{"elderly": "elderly"}',
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    rules[2026].refresh_from_db()
    assert rules[2026].asset_ceiling_yen == 1_200_000
    assert AuditEvent.objects.filter(action=Action.SUBSIDY_RULE_SAVED).count() == 1


def test_an_unknown_budget_line_is_refused(rules):
    rule = rules[2026]
    rule.budget_lines = {"elderly": "pension"}
    with pytest.raises(ValidationError, match="予算の区分"):
        rule.full_clean()


def test_a_caseworker_cannot_open_the_rules_in_the_admin(worker):
    response = client_for(worker).get("/admin/court/subsidyrule/")
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def _edit_application(worker, case, application, **changes):
    """Edit an application as the record screen does: through the record service."""
    from advocacy.cases.services import record_save

    for name, value in changes.items():
        setattr(application, name, value)
    return record_save(actor=worker, case=case, record=application)


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "petition_cost"},
        # FY2025 has no rule here; a computation of FY2026's rule is not this application's.
        {"applied_on": datetime.date(2026, 3, 31)},
    ],
    ids=["kind", "fiscal-year"],
)
def test_an_application_edited_in_kind_or_fiscal_year_loses_its_computation(
    worker, case, rules, changes
):
    application = fee(worker, case).application
    _edit_application(worker, case, application, **changes)
    assert not SubsidyAssessment.objects.exists()
    voided = AuditEvent.objects.get(action=Action.SUBSIDY_ASSESSMENT_VOIDED)
    assert voided.actor == worker and voided.object_id == str(case.pk)
    # The case page and the report see an application not computed, not the old amount.
    page = client_for(worker).get(f"/app/cases/{case.pk}/").content.decode()
    assert "まだ算定していません" in page and "336000円" not in page


def test_edits_that_keep_kind_and_fiscal_year_keep_the_computation(worker, case, rules):
    application = fee(worker, case).application
    _edit_application(worker, case, application, applied_on=datetime.date(2026, 11, 2))
    _edit_application(worker, case, application, amount_yen=336_000)
    factories.case_record(
        worker,
        case,
        Contact(contacted_on=datetime.date(2026, 11, 3), contact_from="guardian", summary="架空"),
    )
    assessment = SubsidyAssessment.objects.get()
    assert assessment.kind == "guardian_fee" and assessment.computed_yen == 336_000
    assert not AuditEvent.objects.filter(action=Action.SUBSIDY_ASSESSMENT_VOIDED).exists()
