"""court.0002: a computation made before it gets an application of its own (decision 95)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from advocacy.cases.models import Subsidy
from advocacy.court.models import SubsidyAssessment, SubsidyRule
from tests import factories

BEFORE = [("court", "0001_initial")]
AFTER = [("court", "0002_assessment_of_application")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _id(value: uuid.UUID):
    # How each backend stores a UUID column (SQLite: 32 hex characters).
    return value.hex if connection.vendor == "sqlite" else value


def _rule():
    return SubsidyRule.objects.create(
        fiscal_year=2026,
        asset_ceiling_yen=1_000_000,
        monthly_cap_home_yen=28_000,
        monthly_cap_facility_yen=18_000,
    )


def _insert_old_assessment(case, rule, worker, *, kind, applied_on, computed, override):
    pk = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO court_subsidyassessment (id, case_id, person_id, rule_id, kind,"
            " applied_on, basis, assets_yen, residence, months, fee_awarded_yen,"
            " filing_fee_yen, examination_yen, certificate_yen, eligible, budget_line,"
            " computed_yen, override_yen, override_reason, created_by_id, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, 'welfare', %s, 'home', 12, 0, 0, 0, 0, %s,"
            " 'elderly', %s, %s, %s, %s, %s)",
            [
                _id(pk),
                _id(case.pk),
                _id(case.person_id),
                rule.pk,
                kind,
                applied_on,
                b"",  # the encrypted facts are not the migration's business
                True,
                computed,
                override,
                b"",
                worker.pk,
                timezone.now(),
            ],
        )
    return pk


@pytest.mark.django_db(transaction=True)
def test_each_earlier_computation_gets_a_pending_application_of_its_kind_date_and_amount(
    latest_schema_after, users_by_role
):
    worker = users_by_role["city_caseworker"]
    rule = _rule()
    first, second = factories.case_for(worker), factories.case_for(worker)
    _migrate(BEFORE)
    fee = _insert_old_assessment(
        first,
        rule,
        worker,
        kind="guardian_fee",
        applied_on=datetime.date(2026, 10, 1),
        computed=336_000,
        override=300_000,
    )
    cost = _insert_old_assessment(
        second,
        rule,
        worker,
        kind="petition_cost",
        applied_on=datetime.date(2026, 9, 1),
        computed=65_000,
        override=None,
    )

    _migrate(AFTER)

    rows = dict(SubsidyAssessment.objects.values_list("pk", "application_id"))
    assert set(rows) == {fee, cost} and len(set(rows.values())) == 2
    fee_application = Subsidy.objects.get(pk=rows[fee])
    assert (fee_application.case_id, fee_application.kind) == (first.pk, "guardian_fee")
    assert fee_application.applied_on == datetime.date(2026, 10, 1)
    assert fee_application.amount_yen == 300_000  # the override, the amount decided on
    assert fee_application.decision == Subsidy.Decision.PENDING
    assert fee_application.created_by == worker
    cost_application = Subsidy.objects.get(pk=rows[cost])
    assert (cost_application.case_id, cost_application.amount_yen) == (second.pk, 65_000)


@pytest.mark.django_db(transaction=True)
def test_each_computation_takes_its_applications_kind(latest_schema_after, users_by_role):
    """court.0003 (decision 114): the kind a computation was made of is its application's."""
    worker = users_by_role["city_caseworker"]
    rule = _rule()
    first, second = factories.case_for(worker), factories.case_for(worker)
    _migrate(BEFORE)
    for case, kind in ((first, "guardian_fee"), (second, "petition_cost")):
        _insert_old_assessment(
            case,
            rule,
            worker,
            kind=kind,
            applied_on=datetime.date(2026, 10, 1),
            computed=1_000,
            override=None,
        )
    _migrate([("court", "0003_subsidyassessment_kind")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT case_id, kind FROM court_subsidyassessment")
        kinds = dict(cursor.fetchall())
    assert kinds == {_id(first.pk): "guardian_fee", _id(second.pk): "petition_cost"}
