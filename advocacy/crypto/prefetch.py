"""Loading the data keys of many rows at once, so a page costs one key query, not one per row."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models.query import ModelIterable

from . import keycache, registry
from .fields import Ciphertext


def prefetch_data_keys(instances: Iterable[models.Model]) -> int:
    """Load into the current key cache the data keys of every owner in instances, in one query.

    Works inside a request (KeyCacheMiddleware) or a `with key_cache():` block; returns how
    many owners were loaded. Values are still decrypted only when read.
    """
    owners = set()
    for instance in instances:
        fields = registry.encrypted_fields(type(instance))
        if any(type(instance.__dict__.get(f.attname)) is Ciphertext for f in fields):
            owners.add(registry.owner_of(instance))
    return keycache.load_owners(owners)


class EncryptedQuerySet(models.QuerySet):
    """A QuerySet that can load the data keys of the rows it fetches (with_data_keys())."""

    _with_data_keys = False

    def with_data_keys(self) -> EncryptedQuerySet:
        """Prefetch the owners' data keys whenever this queryset fetches its rows."""
        clone = self._chain()
        clone._with_data_keys = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._with_data_keys = self._with_data_keys
        return clone

    def _fetch_all(self) -> None:
        fetching = self._result_cache is None
        super()._fetch_all()
        if fetching and self._with_data_keys and self._iterable_class is ModelIterable:
            prefetch_data_keys(self._result_cache)


EncryptedManager = models.Manager.from_queryset(EncryptedQuerySet)
