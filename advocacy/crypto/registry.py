"""Which models hold encrypted fields, and whose data key each row uses.

A model with encrypted fields declares its owner with a class attribute::

    class Person(models.Model):
        encryption_owner = "pk"            # the person's own row

    class Consultation(models.Model):
        encryption_owner = "person_id"     # an attname on the row holding the person's UUID

Models are checked when their class is created, so a mistake stops start-up with a clear message.

This module is the bottom of the ``crypto`` package and imports none of it: a field tells the
registry about itself (``declare(model, field)``) and names its kind in a class attribute
``crypto_kind`` (``"encrypted"`` or ``"blind_index"``); a module with more to check about a
model registers the check with ``add_model_check`` (the blind indexes do).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps as global_apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.signals import class_prepared
from django.dispatch import receiver

OWNER_ATTRIBUTE = "encryption_owner"

ENCRYPTED = "encrypted"
BLIND_INDEX = "blind_index"

_models: dict[str, type[models.Model]] = {}
_declared: set[type[models.Model]] = set()
_model_checks: list[Callable[[type[models.Model]], None]] = []


def declare(model: type[models.Model], field: models.Field[Any, Any]) -> None:
    """Note that model has an encrypted or blind-index field (called from contribute_to_class)."""
    if getattr(field, "crypto_kind", None) not in (ENCRYPTED, BLIND_INDEX):
        raise ImproperlyConfigured(f"{type(field).__name__} declares no crypto_kind.")
    _declared.add(model)


def add_model_check(check: Callable[[type[models.Model]], None]) -> None:
    """Run check(model) for every model with encrypted fields when its class is ready."""
    if check not in _model_checks:
        _model_checks.append(check)


def encrypted_models() -> list[type[models.Model]]:
    """Return every installed concrete model with encrypted fields, in a stable order."""
    return [_models[label] for label in sorted(_models)]


def _fields_of_kind(model: type[models.Model], kind: str) -> tuple[Any, ...]:
    return tuple(f for f in model._meta.concrete_fields if getattr(f, "crypto_kind", None) == kind)


@cache
def encrypted_fields(model: type[models.Model]) -> tuple[Any, ...]:
    """Return the encrypted fields of model (including inherited ones)."""
    return _fields_of_kind(model, ENCRYPTED)


@cache
def blind_index_fields(model: type[models.Model]) -> tuple[Any, ...]:
    """Return the blind-index fields of model."""
    return _fields_of_kind(model, BLIND_INDEX)


def owner_attname(model: type[models.Model]) -> str:
    attname: str = getattr(model, OWNER_ATTRIBUTE)
    return attname


def owner_of(instance: models.Model) -> uuid.UUID | None:
    """Return the UUID of the person whose data key encrypts instance's fields."""
    attname = owner_attname(type(instance))
    value = instance.pk if attname == "pk" else getattr(instance, attname)
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def owner_filter(model: type[models.Model], owner_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Return filter() arguments selecting the rows of model owned by owner_id."""
    return {owner_attname(model): owner_id}


def _uuid_pk_with_default(model: type[models.Model]) -> bool:
    pk = model._meta.pk
    if pk.remote_field is not None and pk.remote_field.parent_link:
        return _uuid_pk_with_default(pk.remote_field.model)
    return isinstance(pk, models.UUIDField) and callable(pk.default)


def _check(model: type[models.Model]) -> None:
    label = model._meta.label
    if not _uuid_pk_with_default(model):
        raise ImproperlyConfigured(
            f"{label} has encrypted fields, so its primary key must be a UUIDField with a "
            "Python default (default=uuid.uuid4): the row id is bound into every ciphertext "
            "and must be known before the insert."
        )
    owner = getattr(model, OWNER_ATTRIBUTE, None)
    if not isinstance(owner, str) or not owner:
        raise ImproperlyConfigured(
            f'{label} has encrypted fields but no {OWNER_ATTRIBUTE} = "pk" or '
            f'"<attname>" naming whose data key encrypts them.'
        )
    if owner != "pk":
        attnames = {f.attname: f for f in model._meta.concrete_fields}
        target = attnames.get(owner)
        if target is None:
            raise ImproperlyConfigured(
                f"{label}.{OWNER_ATTRIBUTE} = {owner!r} is not a column of the model "
                f"(use an attname such as 'person_id')."
            )
        # A foreign key's target may not be loaded yet; its UUID is checked at first use.
        if target.remote_field is None and not isinstance(target, models.UUIDField):
            raise ImproperlyConfigured(
                f"{label}.{OWNER_ATTRIBUTE} = {owner!r} must hold the owner's UUID."
            )
    for check in _model_checks:
        check(model)


@receiver(class_prepared)
def _check_and_register(sender: type[models.Model], **kwargs: Any) -> None:
    if sender not in _declared:
        return
    _declared.discard(sender)
    # Historical models built by migrations lack class attributes; they never hold data here.
    if sender._meta.abstract or sender.__module__ == "__fake__":
        return
    _check(sender)
    if sender._meta.apps is global_apps and not sender._meta.proxy:
        _models[sender._meta.label] = sender
