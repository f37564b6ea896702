from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from advocacy.accounts.models import Organisation
from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.chain import GENESIS_HASH, current_key, event_hash
from advocacy.audit.context import request_context
from advocacy.audit.models import AuditAppendOnlyError, AuditChainHead, AuditEvent
from advocacy.audit.services import audit_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_event_records_who_what_where_and_why(city):
    actor = factories.user(Role.CITY_CASEWORKER, organisation=city)
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    before = timezone.now()

    event = audit_record(
        actor=actor,
        action=Action.SENSITIVE_FIELDS_READ,
        obj=city,
        fields_read=["name", "short_name", "name"],
        reason="定期確認",
        label="C-2026-0001",
        request=request,
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.sequence == 1
    assert before <= stored.time <= timezone.now()
    assert stored.actor == actor
    assert stored.organisation == city
    assert stored.action == Action.SENSITIVE_FIELDS_READ == 221
    assert stored.content_type == ContentType.objects.get_for_model(Organisation)
    assert stored.object_id == str(city.pk)
    assert stored.label == "C-2026-0001"
    assert stored.fields_read == ["name", "short_name"]
    assert stored.reason == "定期確認"
    assert stored.ip_address == "192.0.2.7"
    assert len(stored.request_id) == 32
    assert stored.request_id == request.audit_request_id
    assert stored.previous_hash == GENESIS_HASH
    key_id, key = current_key()
    assert stored.key_id == key_id
    assert stored.hash == event_hash(stored, key)
    assert AuditChainHead.objects.get().sequence == 1


def test_events_link_to_the_one_before(city):
    first = audit_record(actor=None, action=Action.KEY_ROTATED)
    second = audit_record(actor=None, action=Action.KEY_ROTATED)

    assert second.sequence == first.sequence + 1
    assert second.previous_hash == first.hash
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (second.sequence, second.hash)


def test_object_organisation_comes_from_the_object(city, council):
    # Organisation has no organisation_id; a user does, and stands in for a case here.
    member = factories.user(organisation=council)
    actor = factories.user(Role.CITY_CASEWORKER, organisation=city)

    event = audit_record(actor=actor, action=Action.CASE_VIEWED, obj=member)

    assert event.organisation_id == city.pk
    assert event.object_organisation_id == council.pk


def test_explicit_organisation_wins_over_the_actors(city, council):
    actor = factories.user(Role.CITY_CASEWORKER, organisation=city)

    event = audit_record(actor=actor, action=Action.CASE_VIEWED, organisation=council)

    assert event.organisation_id == council.pk


def test_anonymous_actor_is_recorded_as_nobody():
    event = audit_record(actor=AnonymousUser(), action=Action.ACCESS_DENIED)

    assert event.actor_id is None
    assert event.organisation_id is None


def test_request_id_and_address_come_from_the_request_context():
    with request_context(request_id="a" * 32, ip_address="2001:db8::1"):
        event = audit_record(actor=None, action=Action.EXPORTED)

    assert event.request_id == "a" * 32
    assert event.ip_address == "2001:db8::1"


def test_without_request_or_context_the_origin_is_blank():
    event = audit_record(actor=None, action=Action.EXPORTED)

    assert (event.request_id, event.ip_address) == ("", "")


@pytest.mark.parametrize(
    "bad", ["山田 太郎", "1990-01-01", "name; drop", "", "x" * 65, "a.b.c", "Person.", 42]
)
def test_values_are_refused_as_field_names(bad):
    with pytest.raises(ValueError, match="field names only") as caught:
        audit_record(actor=None, action=Action.SENSITIVE_FIELDS_READ, fields_read=[bad])

    assert repr(bad) not in str(caught.value)
    assert not AuditEvent.objects.exists()


def test_field_names_may_name_their_model(city):
    event = audit_record(
        actor=None,
        action=Action.SENSITIVE_FIELDS_READ,
        obj=city,
        fields_read=["Person.income", "health_notes"],
    )

    assert event.fields_read == ["Person.income", "health_notes"]


def test_unknown_action_is_refused():
    with pytest.raises(ValueError):
        audit_record(actor=None, action=999)


def test_long_label_is_refused():
    with pytest.raises(ValueError, match="never a name"):
        audit_record(actor=None, action=Action.CASE_VIEWED, label="x" * 101)


def test_rollback_of_the_action_rolls_back_its_event():
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            audit_record(actor=None, action=Action.CASE_CREATED)
            raise RuntimeError("the action failed")

    assert not AuditEvent.objects.exists()
    assert audit_record(actor=None, action=Action.CASE_CREATED).sequence == 1


def test_saved_event_cannot_be_saved_again():
    event = audit_record(actor=None, action=Action.CASE_VIEWED)
    event.reason = "後から書き換え"

    with pytest.raises(AuditAppendOnlyError, match="append-only"):
        event.save()


def test_event_cannot_be_deleted():
    event = audit_record(actor=None, action=Action.CASE_VIEWED)

    with pytest.raises(AuditAppendOnlyError):
        event.delete()
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")

    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_events_cannot_be_created_around_the_chain():
    with pytest.raises(AuditAppendOnlyError, match="audit_record"):
        AuditEvent.objects.bulk_create([AuditEvent(action=Action.CASE_VIEWED)])
    with pytest.raises(AuditAppendOnlyError, match="audit_record"):
        AuditEvent.objects.create(action=Action.CASE_VIEWED)
