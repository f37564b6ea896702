"""Writes on organisations, users, professionals and their second factor."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.accounts import hooks
from advocacy.accounts.roles import is_system_admin
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.mail import mail_after_commit

from .models import Organisation, Professional, User
from .roles import Role

ERR_DEACTIVATE_SELF = _("自分のアカウントは無効にできません。")


def organisation_create(*, name: str, kind: str, short_name: str = "") -> Organisation:
    organisation = Organisation(name=name, kind=kind, short_name=short_name)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    organisation: Organisation | None,
    roles: Iterable[Role],
    last_name: str = "",
    first_name: str = "",
    email: str = "",
) -> User:
    """Create a user with the given roles; only system administrators reach the admin."""
    roles = set(roles)
    user = User(
        username=username,
        organisation=organisation,
        last_name=last_name,
        first_name=first_name,
        email=email,
        is_staff=Role.SYSTEM_ADMIN in roles,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role]) -> None:
    """Replace the user's roles; the admin flag follows the system-administrator role."""
    roles = set(roles)
    groups = [Group.objects.get_or_create(name=str(role))[0] for role in roles]
    user.groups.set(groups)
    if user.is_staff != (Role.SYSTEM_ADMIN in roles):
        user.is_staff = Role.SYSTEM_ADMIN in roles
        user.save(update_fields=["is_staff"])


@transaction.atomic
def professional_create(
    *,
    user: User,
    profession: str,
    registration_body: str,
    capacity: int = 5,
    area_codes: Iterable[str] = (),
) -> Professional:
    from advocacy.reference.models import Area

    professional = Professional(
        user=user, profession=profession, registration_body=registration_body, capacity=capacity
    )
    professional.full_clean()
    professional.save()
    professional.areas.set(Area.objects.filter(code__in=list(area_codes)))
    return professional


def totp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """Return the user's unconfirmed TOTP device, creating one (the enrolment QR code's key)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic(durable=True)
def second_factor_confirm(
    *, actor: User, device: TOTPDevice, token: str, request: HttpRequest | None = None
) -> bool:
    """Confirm actor's new TOTP device with a first code from the app; audited when it is."""
    if device.user_id != actor.pk or not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=actor, action=Action.SECOND_FACTOR_ENROLLED, obj=actor, label="totp", request=request
    )
    return True


@transaction.atomic(durable=True)
def second_factor_reset(
    *, actor: User | None, user: User, request: HttpRequest | None = None
) -> int:
    """Delete user's TOTP devices (a lost phone) and audit it; return how many were deleted.

    Sessions that gave a code of a deleted device lose their verified state at their next
    request (django-otp finds no device), and the middleware asks the user to enrol again.
    Only a system administrator may do this, it being the one way round the second factor;
    actor None is the operator at the server's console (manage.py second_factor_reset).
    """
    if actor is not None and not is_system_admin(actor):
        raise PermissionDenied
    deleted, _by_model = TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action=Action.SECOND_FACTOR_RESET,
        obj=user,
        label=f"totp:{deleted}",
        request=request,
    )
    # The user hears of it: a reset they did not ask for is someone taking over the account.
    mail_after_commit(lambda: _reset_notice(user), what="second factor reset notice")
    return deleted


def _reset_notice(user: User) -> None:
    # No secret, no name, no link to follow blindly: the next login leads to the enrolment.
    if not user.email or not user.is_active:
        return
    subject = str(_("[権利擁護支援] 二要素認証がリセットされました"))
    body = "\n".join(
        [
            str(
                _(
                    "あなたのアカウントの二要素認証（認証アプリ）が、システム管理者によってリセットされました。"
                )
            ),
            str(_("次にログインするときに、認証アプリをもう一度登録してください。")),
            "",
            str(_("リセットを依頼していない場合は、すぐにシステム管理者に連絡してください。")),
        ]
    )
    send_mail(subject, body, None, [user.email])


@dataclass(frozen=True)
class SecondFactorCheck:
    """What one code gave: the device it matched, or a refusal (wrong, or while locked)."""

    device: TOTPDevice | None = None
    locked: bool = False
    locked_until: datetime.datetime | None = None


@transaction.atomic(durable=True)
def second_factor_verify(
    *, actor: User, token: str, request: HttpRequest | None = None
) -> SecondFactorCheck:
    """Check actor's code against their confirmed devices, honouring django-otp's back-off.

    Each wrong code doubles the wait before the next one is checked (1, 2, 4 … seconds,
    OTP_TOTP_THROTTLE_FACTOR); a code given during the wait is refused unchecked, even the
    right one, and audited as SECOND_FACTOR_LOCKED; a checked wrong code as LOGIN_FAILED.
    Any locked device locks them all, so a second device does not double the guesses.
    """
    devices = list(TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True))
    waits = [device.verify_is_allowed() for device in devices]
    refusals = [data or {} for allowed, data in waits if not allowed]
    if refusals:
        until = [r["locked_until"] for r in refusals if r.get("locked_until")]
        audit_record(
            actor=actor,
            action=Action.SECOND_FACTOR_LOCKED,
            obj=actor,
            label="totp",
            request=request,
        )
        return SecondFactorCheck(locked=True, locked_until=max(until) if until else None)
    for device in devices:
        if device.verify_token(token.strip()):
            return SecondFactorCheck(device=device)
    audit_record(actor=actor, action=Action.LOGIN_FAILED, obj=actor, label="otp", request=request)
    return SecondFactorCheck()


@transaction.atomic(durable=True)
def user_deactivate(*, actor: User | None, user: User, request: HttpRequest | None = None) -> User:
    """Deactivate user's account: no login, no case, no task, no e-mail, from now on.

    The account is kept (audit events and records name it). Inside the same transaction the
    registered hook (``hooks.on_user_deactivated``, the workflows) revokes every grant the
    user holds and puts their open tasks back in their organisation's queue. Only a system
    administrator may; actor None is the operator at the server's console. A second call on
    an inactive account does the hook's work again (nothing left to do) and is audited.
    """
    if actor is not None and not is_system_admin(actor):
        raise PermissionDenied
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(ERR_DEACTIVATE_SELF)
    return user_close(actor=actor, user=user, request=request)


def user_close(
    *,
    actor: User | None,
    user: User,
    request: HttpRequest | None = None,
    blank_identity: bool = False,
) -> User:
    """Close user's account inside the caller's transaction: its event, grants and tasks.

    The one way an account is closed, whoever's rule allows it: ``user_deactivate`` (a
    system administrator) and a trainee's erasure (a Council supervisor; the account's clear
    name and e-mail, copied from the trainee at registration, are blanked with
    ``blank_identity``). The caller checks who may and holds the transaction.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    fields = []
    if user.is_active:
        user.is_active = False
        fields.append("is_active")
    if blank_identity:
        user.first_name = user.last_name = user.email = ""
        fields += ["first_name", "last_name", "email"]
    if fields:
        user.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=Action.USER_DEACTIVATED,
        obj=user,
        label=f"user:{user.pk}",
        request=request,
    )
    hooks.user_deactivated(actor=actor, user=user)
    return user


@transaction.atomic(durable=True)
def user_reactivate(*, actor: User | None, user: User, request: HttpRequest | None = None) -> User:
    """Let a deactivated account log in again; it gets back no grant and no task by itself.

    Access to cases is given again case by case (a supervisor's grant or handover).
    """
    if actor is not None and not is_system_admin(actor):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=Action.USER_REACTIVATED,
        obj=user,
        label=f"user:{user.pk}",
        request=request,
    )
    return user
