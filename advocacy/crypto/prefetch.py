"""Loading the data keys of many rows at once, so a page costs one key query, not one per row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Self, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.query import ModelIterable

from . import keycache, registry
from .fields import Ciphertext, EncryptedMixin, decrypt_in_place

_M = TypeVar("_M", bound=models.Model)

if TYPE_CHECKING:

    class _QuerySet(models.QuerySet[_M]):
        # Django's own, not declared by django-stubs.
        def _clone(self) -> Self: ...

else:
    _QuerySet = models.QuerySet


def prefetch_data_keys(instances: Iterable[models.Model], decrypt: Sequence[str] = ()) -> int:
    """Load into the current key cache the data keys of every owner in instances, in one query.

    Works inside a request (KeyCacheMiddleware) or a `with key_cache():` block; returns how
    many owners were loaded. The fields named in decrypt, those a page shows on every row, are
    decrypted now for every instance; the others still only when read.
    """
    instances = list(instances)
    owners: set[object] = set()
    for instance in instances:
        values = instance.__dict__
        for field in registry.encrypted_fields(type(instance)):
            if type(values.get(field.attname)) is Ciphertext:
                owners.add(registry.owner_of(instance))
                break
    loaded = keycache.load_owners(owners)
    if decrypt:
        names = tuple(decrypt)
        for instance in instances:
            decrypt_in_place(instance, _encrypted_fields_named(type(instance), names))
    return loaded


@cache
def _encrypted_fields_named(
    model: type[models.Model], names: tuple[str, ...]
) -> tuple[EncryptedMixin, ...]:
    fields: list[EncryptedMixin] = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if not isinstance(field, EncryptedMixin):
            raise ValueError(f"{model._meta.label} has no encrypted field {name!r} to decrypt.")
        fields.append(field)
    return tuple(fields)


class EncryptedQuerySet(_QuerySet[_M]):
    """A QuerySet that can load the data keys of the rows it fetches (with_data_keys())."""

    _with_data_keys = False
    _decrypt: tuple[str, ...] = ()

    def with_data_keys(self, *decrypt: str) -> Self:
        """Prefetch the owners' data keys whenever this queryset fetches its rows.

        Name the fields a list page shows on every row to have them decrypted in bulk right
        after the fetch (see prefetch_data_keys).
        """
        clone = self.all()
        clone._with_data_keys = True
        clone._decrypt = decrypt
        return clone

    def _clone(self) -> Self:
        clone = super()._clone()
        clone._with_data_keys = self._with_data_keys
        clone._decrypt = self._decrypt
        return clone

    def _fetch_all(self) -> None:
        fetching = self._result_cache is None
        super()._fetch_all()
        rows = self._result_cache
        if fetching and rows is not None and self._with_data_keys:
            if self._iterable_class is ModelIterable:
                prefetch_data_keys(rows, decrypt=self._decrypt)


EncryptedManager = models.Manager.from_queryset(EncryptedQuerySet)
