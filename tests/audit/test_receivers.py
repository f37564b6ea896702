from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.context import request_context
from advocacy.audit.models import AuditEvent
from advocacy.crypto.signals import decryption_failed
from tests import factories

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_is_recorded_with_request_id_and_address(client, city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)

    response = _login(client, worker.username, factories.PASSWORD)

    assert response.status_code == HTTPStatus.FOUND
    event = AuditEvent.objects.get(action=Action.LOGIN)
    assert event.actor == worker
    assert event.organisation == city
    assert event.ip_address == "127.0.0.1"
    assert event.request_id == response["X-Request-ID"]


def test_logout_is_recorded(client, city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    client.force_login(worker)

    client.post(reverse("logout"))

    event = AuditEvent.objects.get(action=Action.LOGOUT)
    assert event.actor == worker


def test_failed_login_records_no_username(client, city):
    username = "tanaka-hanako-1962"
    factories.user(Role.CITY_CASEWORKER, organisation=city, username=username)

    response = _login(client, username, "wrong-password-123")

    assert response.status_code == HTTPStatus.OK
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.actor_id is None
    assert event.organisation_id is None
    assert event.ip_address == "127.0.0.1"
    assert event.request_id == response["X-Request-ID"]
    stored = [event.object_id, event.label, event.reason, str(event.fields_read)]
    assert all(username not in text for text in stored)
    assert not AuditEvent.objects.exclude(action=Action.LOGIN_FAILED).exists()


def test_failed_login_of_an_unknown_user_is_recorded_the_same_way(client):
    _login(client, "nobody-here", "whatever-password-1")

    event = AuditEvent.objects.get()
    assert event.action == Action.LOGIN_FAILED
    assert (event.actor_id, event.object_id, event.label, event.reason) == (None, "", "", "")


def test_decryption_failure_records_where_not_what(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)

    with request_context(request_id="b" * 32, ip_address="192.0.2.9", user=worker):
        decryption_failed.send(
            sender=None,
            model_label="accounts.Organisation",
            field_name="name",
            row_id=city.pk,
            reason="auth_failed",
        )

    event = AuditEvent.objects.get(action=Action.DECRYPTION_FAILED)
    assert event.action == 501
    assert event.actor == worker
    assert event.content_type.model_class()._meta.label == "accounts.Organisation"
    assert event.object_id == str(city.pk)
    assert event.fields_read == ["name"]
    assert event.reason == "auth_failed"
    assert event.request_id == "b" * 32


def test_decryption_failure_of_an_unknown_model_is_still_recorded():
    decryption_failed.send(
        sender=None, model_label="gone.Model", field_name="notes", row_id=7, reason="bad_tag"
    )

    event = AuditEvent.objects.get(action=Action.DECRYPTION_FAILED)
    assert event.content_type_id is None
    assert (event.object_id, event.fields_read) == ("7", ["notes"])
