"""Grants, revocations and shares: each changes what a user may see, and each is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from advocacy.access import services as access
from advocacy.access.models import CaseShare
from advocacy.access.selectors import VIEW, permissions_on
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases import services as cases
from advocacy.cases.selectors import cases_visible_to
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


@pytest.fixture
def case(worker):
    return factories.case_for(worker)


def test_revoke_takes_the_case_out_of_sight_and_is_audited(city, worker, case):
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)
    access.grant(actor=worker, case=case, user=colleague, permissions={VIEW}, reason="応援")
    assert case in cases_visible_to(user=colleague)

    access.revoke(actor=worker, case=case, user=colleague, reason="応援終了")

    assert case not in cases_visible_to(user=colleague)
    assert permissions_on(user=colleague, case=case) == frozenset()
    event = AuditEvent.objects.get(action=Action.ACCESS_REVOKED)
    assert event.label == case.number


def test_share_shows_the_case_to_the_other_organisation_until_unshared(council, worker, case):
    other = factories.user(Role.SUPERVISOR, organisation=council)
    assert case not in cases_visible_to(user=other)

    access.share_with_organisation(
        actor=worker,
        case=case,
        organisation=council,
        basis=CaseShare.Basis.CONSENT,
        reason="同意のうえ共有",
    )
    assert case in cases_visible_to(user=other)
    assert AuditEvent.objects.filter(action=Action.CASE_SHARED, label=case.number).exists()

    access.unshare(actor=worker, case=case, organisation=council, reason="支援終了")

    assert case not in cases_visible_to(user=other)
    assert AuditEvent.objects.filter(action=Action.CASE_UNSHARED, label=case.number).exists()


def test_a_worker_of_another_organisation_cannot_share_and_nothing_is_written(council, case):
    outsider = factories.user(Role.SUPERVISOR, organisation=council)
    before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        access.share_with_organisation(
            actor=outsider, case=case, organisation=council, basis="consent", reason="不正"
        )

    assert not CaseShare.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_share_needs_a_reason(council, worker, case):
    with pytest.raises(ValidationError):
        access.share_with_organisation(
            actor=worker, case=case, organisation=council, basis="consent", reason="  "
        )


def test_reassignment_grants_the_new_worker_and_is_audited(city, worker, case):
    supervisor = factories.user(Role.SUPERVISOR, organisation=city)
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)

    cases.case_reassign(actor=supervisor, case=case, worker=colleague, reason="担当替え")

    case.refresh_from_db()
    assert case.assigned_worker == colleague
    assert case in cases_visible_to(user=colleague)
    assert AuditEvent.objects.filter(action=Action.CASE_REASSIGNED, label=case.number).exists()


def test_only_a_supervisor_reassigns(city, worker, case):
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)

    with pytest.raises(PermissionDenied):
        cases.case_reassign(actor=worker, case=case, worker=colleague, reason="自分で")


def test_a_shares_reason_is_stored_encrypted_and_kept_out_of_the_audit(council, worker, case):
    """The reason staff write may name who met and when: never in a clear column."""
    canary = "架空会議カナリア"

    share = access.share_with_organisation(
        actor=worker,
        case=case,
        organisation=council,
        basis=CaseShare.Basis.CONSENT,
        reason=f"{canary}で共有を決定",
    )

    assert CaseShare.objects.get(pk=share.pk).reason == f"{canary}で共有を決定"
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM cases_caseshare")
        (raw,) = cursor.fetchone()
    stored = raw.encode() if isinstance(raw, str) else bytes(raw)
    assert canary.encode() not in stored
    assert not any(canary in (event.reason or "") for event in AuditEvent.objects.all())
