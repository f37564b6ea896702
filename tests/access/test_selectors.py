"""The one rule of who sees a case, in both of its SQL forms."""

import pytest

from advocacy.access.models import CaseShare
from advocacy.access.selectors import case_visibility, case_visibility_probe
from advocacy.accounts.roles import Role
from advocacy.cases.models import Case, Consultation
from tests import factories

pytestmark = pytest.mark.django_db


def _visible_ids(user) -> set:
    return set(Case.objects.filter(case_visibility(user=user)).values_list("pk", flat=True))


def _probed_ids(user) -> set:
    rows = Consultation.objects.filter(case_visibility_probe(user=user, case="case"))
    return set(rows.values_list("case_id", flat=True))


def test_both_forms_of_the_rule_agree_for_every_kind_of_user(city, council):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)
    supervisor = factories.user(Role.SUPERVISOR, organisation=city)
    council_worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    mine = factories.case_for(worker)
    theirs = factories.case_for(colleague)
    shared = factories.case_for(colleague)
    CaseShare.objects.create(
        case=shared,
        person=shared.person,
        organisation=council,
        basis="consent",
        reason="共有",
        shared_by=colleague,
    )

    assert _visible_ids(worker) == _probed_ids(worker) == {mine.pk}
    assert _visible_ids(supervisor) == _probed_ids(supervisor) == {mine.pk, theirs.pk, shared.pk}
    assert _visible_ids(council_worker) == _probed_ids(council_worker) == {shared.pk}


def test_professionals_and_committee_members_see_no_case(city, committee_org):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    factories.case_for(worker)
    for user in (
        factories.professional_user(),
        factories.user(Role.COMMITTEE_MEMBER, organisation=committee_org),
        factories.user(Role.SYSTEM_ADMIN),
    ):
        assert _visible_ids(user) == set()
