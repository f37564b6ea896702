"""Turn records into label/value rows for display; no business rules here."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db import models

from advocacy.crypto.erased import ERASED
from advocacy.crypto.registry import encrypted_fields
from advocacy.dates import western_and_wareki


def display_value(instance: models.Model, field_name: str, list_labels: dict | None = None) -> str:
    """Return a field's value as people read it: choice labels, era dates, names of links."""
    field = instance._meta.get_field(field_name)
    if field.many_to_many:
        return "、".join(str(item) for item in getattr(instance, field_name).all()) or "—"
    value = getattr(instance, field_name)
    if value is ERASED:
        return str(ERASED)
    if value in (None, "", []):
        return "—"
    if isinstance(field, models.Field) and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if list_labels is not None and not isinstance(value, list):
        return str(list_labels.get(value, value))
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return western_and_wareki(value)
    if isinstance(value, list):
        labels = list_labels or {}
        return "、".join(str(labels.get(item, item)) for item in value)
    return str(value)


# Choice fields whose labels live in the form (model choices carry their own).
PLAIN_CHOICES = (forms.MultipleChoiceField, forms.ChoiceField)


def rows(instance: models.Model, form_class: type[forms.ModelForm[Any]]) -> list[tuple[str, str]]:
    """Return (label, value) pairs for the fields form_class edits, labelled as in the form."""
    form_fields = form_class.base_fields
    result = []
    for name in form_class._meta.fields or ():
        # Plain choices (codes, or codes in a JSON list) carry their labels in the form field.
        field = form_fields[name]
        labels = (
            # The field holds its choices normalised to (value, label) pairs; the stubs also
            # allow the forms they may be given in.
            dict(cast("Iterable[tuple[Any, Any]]", field.choices))
            if isinstance(field, forms.ChoiceField) and type(field) in PLAIN_CHOICES
            else None
        )
        model_field = instance._meta.get_field(name)
        label = form_fields[name].label or getattr(model_field, "verbose_name", name)
        result.append((str(label), display_value(instance, name, labels)))
    return result


def encrypted_names(model: type[models.Model], field_names: Iterable[str]) -> list[str]:
    """Return "Model.field" for each named field that is encrypted (for the audit trail)."""
    encrypted = {f.name for f in encrypted_fields(model)}
    return [f"{model.__name__}.{name}" for name in field_names if name in encrypted]
