"""A lost phone: a system administrator resets a user's second factor in the admin."""

from __future__ import annotations

from http import HTTPStatus
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.accounts.services import second_factor_reset
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from tests.portal.otp import confirmed_device, force_login_verified

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"
ACTION = "reset_second_factor"


def _may_change_users(user):
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts", codename__in=["view_user", "change_user"]
        )
    )
    return user


@pytest.fixture
def sysadmin(users_by_role):
    # By the role alone: no Django permission is given to anyone.
    return users_by_role["system_admin"]


@pytest.fixture
def admin_client(sysadmin) -> Client:
    client = Client()
    client.force_login(sysadmin)
    return client


@pytest.fixture
def pro(users_by_role):
    confirmed_device(users_by_role["professional"])
    return users_by_role["professional"]


def test_the_action_asks_for_confirmation_first(admin_client, pro):
    assert "二要素認証をリセット" in admin_client.get(CHANGELIST).content.decode()

    response = admin_client.post(CHANGELIST, {"action": ACTION, "_selected_action": [pro.pk]})

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "二要素認証" in html and pro.username in html
    assert 'name="post" value="yes"' in html
    assert TOTPDevice.objects.filter(user=pro).count() == 1
    assert not AuditEvent.objects.filter(action=Action.SECOND_FACTOR_RESET).exists()


def test_confirming_deletes_the_devices_and_audits(admin_client, sysadmin, pro):
    TOTPDevice.objects.create(user=pro, name="unconfirmed", confirmed=False)

    response = admin_client.post(
        CHANGELIST, {"action": ACTION, "_selected_action": [pro.pk], "post": "yes"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert not TOTPDevice.objects.filter(user=pro).exists()
    event = AuditEvent.objects.get(action=Action.SECOND_FACTOR_RESET)
    assert event.actor == sysadmin
    assert event.object_id == str(pro.pk)
    assert event.label == "totp:2"
    # The new action joins the hash chain like any other.
    call_command("verify_audit")


@pytest.mark.parametrize("role", ["city_caseworker", "city_supervisor", "professional"])
def test_others_cannot_reset(users_by_role, pro, role):
    user = _may_change_users(users_by_role[role])
    user.is_staff = True  # even with the admin flag and the permission
    user.save()
    client = force_login_verified(Client(), user)

    response = client.post(
        CHANGELIST, {"action": ACTION, "_selected_action": [pro.pk], "post": "yes"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/admin/login/")
    assert TOTPDevice.objects.filter(user=pro, confirmed=True).exists()
    with pytest.raises(PermissionDenied):
        second_factor_reset(actor=user, user=pro)
    assert TOTPDevice.objects.filter(user=pro, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action=Action.SECOND_FACTOR_RESET).exists()


def test_a_system_admin_manages_accounts_and_reference_data_by_role_but_deletes_nothing(
    admin_client, sysadmin, pro
):
    assert not sysadmin.user_permissions.exists() and not sysadmin.is_superuser
    for url in (
        "/admin/",
        CHANGELIST,
        f"/admin/accounts/user/{pro.pk}/change/",
        "/admin/accounts/organisation/",
        "/admin/accounts/professional/",
        "/admin/reference/area/",
        "/admin/reference/guardianshipscheme/",
        "/admin/portal/candidateprofile/",
        "/admin/audit/auditevent/",
    ):
        assert admin_client.get(url).status_code == HTTPStatus.OK, url
    assert admin_client.get(f"/admin/accounts/user/{pro.pk}/delete/").status_code == (
        HTTPStatus.FORBIDDEN
    )
    assert "delete_selected" not in admin_client.get(CHANGELIST).content.decode()


def test_a_verified_session_is_sent_to_enrol_after_the_reset(admin_client, sysadmin, pro):
    pro_client = force_login_verified(Client(), pro)
    assert pro_client.get("/app/portal/").status_code == HTTPStatus.OK

    second_factor_reset(actor=sysadmin, user=pro)

    response = pro_client.get("/app/portal/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/accounts/otp/enrol/")
    # django-otp dropped the verification of the deleted device from the session.
    assert DEVICE_ID_SESSION_KEY not in pro_client.session
    assert pro_client.get(response.url).status_code == HTTPStatus.OK


def test_staff_sessions_too_when_staff_need_a_second_factor(sysadmin, users_by_role, settings):
    settings.ADVOCACY_OTP_FOR_STAFF = True
    worker = users_by_role["city_caseworker"]
    client = force_login_verified(Client(), worker)
    assert client.get("/app/inbox/").status_code == HTTPStatus.OK

    assert second_factor_reset(actor=sysadmin, user=worker) == 1

    assert client.get("/app/inbox/").url.startswith("/accounts/otp/enrol/")


def test_the_console_command_resets_after_confirmation_and_audits_without_actor(pro, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("second_factor_reset", pro.username)
    assert TOTPDevice.objects.filter(user=pro).exists()

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    out = StringIO()
    call_command("second_factor_reset", pro.username, stdout=out)

    assert "Deleted 1 device(s)" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=pro).exists()
    event = AuditEvent.objects.get(action=Action.SECOND_FACTOR_RESET)
    assert event.actor is None and event.object_id == str(pro.pk)


def test_the_console_command_names_an_unknown_user_and_changes_nothing(pro):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("second_factor_reset", "nobody", "--yes")
    assert TOTPDevice.objects.filter(user=pro).exists()
    assert not AuditEvent.objects.filter(action=Action.SECOND_FACTOR_RESET).exists()
