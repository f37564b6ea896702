from __future__ import annotations

import pytest

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.selectors import audit_events_for_object, audit_events_for_organisation
from advocacy.audit.services import audit_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_events_for_object_are_newest_first_and_only_that_object(city, council):
    viewed = audit_record(actor=None, action=Action.CASE_VIEWED, obj=city)
    updated = audit_record(actor=None, action=Action.CASE_STAGE_CHANGED, obj=city)
    audit_record(actor=None, action=Action.CASE_VIEWED, obj=council)

    assert list(audit_events_for_object(obj=city)) == [updated, viewed]


def test_events_for_organisation_cover_its_staff_and_its_objects(city, council):
    city_worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    council_worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    by_staff = audit_record(actor=city_worker, action=Action.CASE_VIEWED)
    on_its_object = audit_record(actor=council_worker, action=Action.CASE_VIEWED, obj=city_worker)
    audit_record(actor=council_worker, action=Action.CASE_VIEWED)
    audit_record(actor=None, action=Action.KEY_ROTATED)

    assert list(audit_events_for_organisation(organisation=city)) == [on_its_object, by_staff]
