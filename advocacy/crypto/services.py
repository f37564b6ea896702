"""Writes on keys: erasing a person, re-encrypting a person, re-wrapping data keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import connections, models, router, transaction
from django.utils import timezone

from . import keycache, registry
from .datakeys import destroy_rows, new_data_key_row, rewrap
from .envelope import generation_of
from .erased import ERASED
from .exceptions import OwnerErasedError
from .fields import Ciphertext
from .keyring import Keyring, get_keyring
from .models import DataKey
from .signals import keys_rotated


def data_keys_create(*, owner_ids: list[uuid.UUID]) -> None:
    """Give many new owners (rows about to be inserted) their first data key, in one insert."""
    if owner_ids:
        keycache.create_first_keys(owner_ids)


def person_erase(*, owner_id: uuid.UUID) -> int:
    """Destroy every data key of owner_id (crypto-shredding); return how many were live.

    Afterwards every encrypted value of the owner reads as ERASED, in the database and in
    any backup taken from now on; their blind indexes are cleared too. Backups taken before
    still hold the wrapped keys until the master keys that wrapped them are destroyed.
    """
    owner_id = keycache.as_uuid(owner_id)
    using = router.db_for_write(DataKey)
    with transaction.atomic(using=using):
        rows = list(DataKey.objects.using(using).select_for_update().filter(owner_id=owner_id))
        destroyed = destroy_rows(DataKey.objects.using(using).filter(owner_id=owner_id))
        if not rows:
            # Keep a tombstone even for someone who never had a key, so that nothing new is
            # stored for them and their rows read as erased, not as missing.
            DataKey.objects.using(using).create(
                owner_id=owner_id,
                generation=1,
                master_key_id="",
                wrapped=b"",
                destroyed_at=timezone.now(),
            )
        for model in registry.encrypted_models():
            indexes = registry.blind_index_fields(model)
            if indexes:
                model._base_manager.using(using).filter(
                    **registry.owner_filter(model, owner_id)
                ).update(**{index.attname: None for index in indexes})
        keycache.mark_changed(owner_id)
    return destroyed


@dataclass
class ReencryptResult:
    new_generation: int
    values: int
    destroyed_generations: list[int]


def _reencrypt_rows(owner_id: uuid.UUID, *, below: int, using: str) -> int:
    """Re-encrypt, under the owner's current key, every value stored under a generation < below."""
    count = 0
    for model in registry.encrypted_models():
        fields = registry.encrypted_fields(model)
        rows = (
            model._base_manager.using(using)
            .select_for_update()
            .filter(**registry.owner_filter(model, owner_id))
        )
        for row in rows:
            changes = {}
            for field in fields:
                stored = row.__dict__.get(field.attname)
                if type(stored) is not Ciphertext or generation_of(stored.blob) >= below:
                    continue
                value = getattr(row, field.attname)
                if value is ERASED:
                    continue
                changes[field.attname] = field.encrypt_for(row, value)
            if changes:
                # update(), not save(): re-encryption must not trigger the model's own
                # save logic or signals; Sealed values are accepted by the column.
                model._base_manager.using(using).filter(pk=row.pk).update(**changes)
                count += len(changes)
    return count


def person_reencrypt(*, owner_id: uuid.UUID) -> ReencryptResult:
    """Re-encrypt all of owner_id's values under a new data key, then destroy the old keys."""
    owner_id = keycache.as_uuid(owner_id)
    using = router.db_for_write(DataKey)
    with keycache.key_cache():
        with transaction.atomic(using=using):
            rows = list(
                DataKey.objects.using(using)
                .select_for_update()
                .filter(owner_id=owner_id)
                .order_by("generation")
            )
            if not rows:
                return ReencryptResult(new_generation=0, values=0, destroyed_generations=[])
            if all(row.destroyed_at is not None for row in rows):
                raise OwnerErasedError(
                    f"Owner {owner_id} was erased; there is nothing to re-encrypt."
                )
            new_generation = rows[-1].generation + 1
            row, _ = new_data_key_row(owner_id, new_generation)
            row.save(using=using)
            keycache.mark_changed(owner_id)
            values = _reencrypt_rows(owner_id, below=new_generation, using=using)
        # A second pass, after the new key is committed and visible to everyone, catches
        # values written under the old key by requests that were already running.
        with transaction.atomic(using=using):
            list(DataKey.objects.using(using).select_for_update().filter(owner_id=owner_id))
            values += _reencrypt_rows(owner_id, below=new_generation, using=using)
            old = DataKey.objects.using(using).filter(
                owner_id=owner_id, generation__lt=new_generation, destroyed_at__isnull=True
            )
            generations = sorted(old.values_list("generation", flat=True))
            destroy_rows(old)
            keycache.mark_changed(owner_id)
            keys_rotated.send(
                sender=DataKey, kind="data_key", owner_id=owner_id, generation=new_generation
            )
    return ReencryptResult(
        new_generation=new_generation, values=values, destroyed_generations=generations
    )


def datakeys_rewrap_batch(*, batch_size: int = 500, after_pk: int = 0) -> tuple[int, int]:
    """Re-wrap up to batch_size data keys not under the active master key.

    Returns (count, last pk seen); pass the pk back as after_pk to continue. One transaction
    per batch, locking only that batch (SKIP LOCKED), so the system keeps serving and several
    workers may run at once. Done when count is 0.
    """
    keyring = get_keyring()
    using = router.db_for_write(DataKey)
    with transaction.atomic(using=using):
        rows = list(
            datakeys_to_rewrap(keyring)
            .using(using)
            .select_for_update(skip_locked=True)
            .filter(pk__gt=after_pk)
            .order_by("pk")[:batch_size]
        )
        for row in rows:
            rewrap(row, keyring)
        # executemany of one-row updates: far faster than bulk_update's CASE over 500 rows.
        table = connections[using].ops.quote_name(DataKey._meta.db_table)
        with connections[using].cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET master_key_id = %s, wrapped = %s WHERE id = %s",  # noqa: S608
                [(row.master_key_id, row.wrapped, row.pk) for row in rows],
            )
        if rows:
            keys_rotated.send(
                sender=DataKey,
                kind="master",
                master_key_id=keyring.active_master_id,
                count=len(rows),
            )
    return len(rows), (rows[-1].pk if rows else after_pk)


def datakeys_to_rewrap(keyring: Keyring | None = None) -> models.QuerySet[DataKey]:
    """Return the live data keys not yet under the active master key."""
    keyring = keyring or get_keyring()
    return DataKey.objects.filter(destroyed_at__isnull=True).exclude(
        master_key_id=keyring.active_master_id
    )
