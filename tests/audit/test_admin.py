from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.audit.services import audit_record
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_of_system_admin(client, city):
    client.force_login(factories.user(Role.SYSTEM_ADMIN, organisation=city))
    return client


def test_system_admin_may_list_and_view_events(admin_client_of_system_admin):
    event = audit_record(actor=None, action=Action.KEY_ROTATED, label="K-1")
    client = admin_client_of_system_admin

    listing = client.get(reverse("admin:audit_auditevent_changelist"))
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))

    assert listing.status_code == detail.status_code == HTTPStatus.OK
    assert "K-1" in listing.content.decode()


def test_admin_offers_no_add_change_or_delete(admin_client_of_system_admin):
    event = audit_record(actor=None, action=Action.KEY_ROTATED, reason="元の理由")
    client = admin_client_of_system_admin

    add = client.get(reverse("admin:audit_auditevent_add"))
    change = client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"reason": "書き換え"}
    )
    delete = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})

    assert add.status_code == HTTPStatus.FORBIDDEN
    assert change.status_code == HTTPStatus.FORBIDDEN
    assert delete.status_code == HTTPStatus.FORBIDDEN
    assert AuditEvent.objects.get(pk=event.pk).reason == "元の理由"
