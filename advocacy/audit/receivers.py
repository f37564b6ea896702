"""Audit events for things other apps announce by signal: logins and decryption failures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver

from advocacy.crypto.signals import decryption_failed, keys_rotated

from .actions import Action
from .context import current_user
from .services import append_event, audit_record

if TYPE_CHECKING:
    from django.http import HttpRequest

    from advocacy.accounts.models import User


@receiver(user_logged_in, dispatch_uid="audit_user_logged_in")
def record_login(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(actor=user, action=Action.LOGIN, request=request)


@receiver(user_logged_out, dispatch_uid="audit_user_logged_out")
def record_logout(
    sender: object, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        audit_record(actor=user, action=Action.LOGOUT, request=request)


@receiver(user_login_failed, dispatch_uid="audit_user_login_failed")
def record_login_failed(
    sender: object,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    # Nothing from credentials: a mistyped username is often someone's password or name.
    audit_record(actor=None, action=Action.LOGIN_FAILED, request=request)


@receiver(decryption_failed, dispatch_uid="audit_decryption_failed")
def record_decryption_failed(
    sender: object,
    *,
    model_label: str = "",
    field_name: str = "",
    row_id: object = None,
    reason: str = "",
    **kwargs: Any,
) -> None:
    # Only where it failed, and the failure's code: never a value, never a key.
    content_type = None
    if model_label:
        try:
            content_type = ContentType.objects.get_for_model(apps.get_model(model_label))
        except LookupError:
            content_type = None
    append_event(
        actor=current_user(),
        action=Action.DECRYPTION_FAILED,
        content_type=content_type,
        object_id="" if row_id is None else str(row_id),
        fields_read=[field_name] if field_name else [],
        reason=reason,
    )


@receiver(keys_rotated, dispatch_uid="audit_keys_rotated")
def record_keys_rotated(sender: object, *, kind: str, **details: Any) -> None:
    # Which key and how many, never key material; a person by the first part of their id.
    if kind == "master":
        label = f"master {details['master_key_id']}: {details['count']} data keys"
    else:
        label = f"data key {str(details['owner_id'])[:8]} gen {details['generation']}"
    audit_record(actor=current_user(), action=Action.KEY_ROTATED, label=label)
