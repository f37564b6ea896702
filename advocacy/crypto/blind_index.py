"""Blind indexes: short keyed hashes of normalised plaintext, for exact-match search.

Each index has its own key, derived with HKDF from the blind-index root key and the model and
index names, so equal values in two indexes do not hash alike. Only
settings.ADVOCACY_BLIND_INDEX_BITS bits are kept (11 by default): with ~10,000 people every
value shares its bucket with several others, so the index alone does not identify anyone, and
search confirms each candidate by decrypting it.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver

from . import keycache, registry
from .erased import ERASED
from .exceptions import EncryptionError
from .fields import Ciphertext
from .keyring import get_keyring, on_reset
from .normalise import NAME_PARTS, normalise_value
from .prefetch import prefetch_data_keys

if TYPE_CHECKING:
    # Generic for the checker only (django-stubs); Django's class takes no subscript.
    _IntegerField = models.IntegerField[int | None, int | None]
else:
    _IntegerField = models.IntegerField

_M = TypeVar("_M", bound=models.Model)

_INDEXABLE = (models.CharField, models.TextField, models.DateField, models.IntegerField)

_keys: dict[tuple[str, str], bytes] = {}
_keys_lock = threading.Lock()
on_reset(_keys.clear)


def index_bits() -> int:
    bits: int = getattr(settings, "ADVOCACY_BLIND_INDEX_BITS", 11)
    if not 1 <= bits <= 31:
        raise ImproperlyConfigured("ADVOCACY_BLIND_INDEX_BITS must be between 1 and 31.")
    return bits


def index_key(model_label: str, index_name: str) -> bytes:
    """Return the HMAC key of one index, derived from the blind-index root key."""
    cache_key = (model_label, index_name)
    key = _keys.get(cache_key)
    if key is None:
        info = b"advocacy.blind-index.v1\x00" + model_label.encode() + b"\x00" + index_name.encode()
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
            get_keyring().blind_index_key.key
        )
        with _keys_lock:
            _keys[cache_key] = key
    return key


def index_value(model_label: str, index_name: str, values: Sequence[object]) -> int | None:
    """Return the truncated HMAC of the normalised values, or None if any value is missing."""
    parts = []
    for value in values:
        if value is None or value is ERASED:
            return None
        text = normalise_value(value)
        if not text:
            return None
        encoded = text.encode()
        # Length-prefixed so ("ab", "c") and ("a", "bc") differ.
        parts.append(struct.pack(">I", len(encoded)) + encoded)
    digest = hmac.new(index_key(model_label, index_name), b"".join(parts), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - index_bits())


class BlindIndexField(_IntegerField):
    """An integer column holding the blind index of one or more source fields.

    Example: ``dup_index = BlindIndexField(sources=["kana", "birth_date"])``. Computed at save
    from the plaintext. An index of a date alone is refused: 11 bits of a birth date would
    narrow people down far more than a name does. ``part="family"`` indexes only the family
    name of a single text source (``normalise.NAME_PARTS``), so a search by it finds the person.
    """

    crypto_kind = registry.BLIND_INDEX

    def __init__(
        self, *args: Any, sources: Iterable[str] = (), part: str | None = None, **kwargs: Any
    ) -> None:
        self.sources = tuple(sources)
        self.part = part
        if not self.sources:
            raise ImproperlyConfigured("BlindIndexField needs sources=[...field names...].")
        if part is not None and (part not in NAME_PARTS or len(self.sources) != 1):
            raise ImproperlyConfigured(
                f"BlindIndexField part={part!r}: use one of {sorted(NAME_PARTS)} "
                "over a single text source."
            )
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = list(self.sources)
        if self.part is not None:
            kwargs["part"] = self.part
        return name, path, args, kwargs

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        registry.declare(cls, self)

    def source_fields(self) -> list[models.Field[Any, Any]]:
        # Each source is a concrete field: check_blind_indexes refuses anything else.
        fields = (self.model._meta.get_field(name) for name in self.sources)
        return [field for field in fields if isinstance(field, models.Field)]

    def compute(self, values: Sequence[object]) -> int | None:
        """Return the index of source values given in the order of sources."""
        return index_value(self.model._meta.label, self.name, [self.take_part(v) for v in values])

    def take_part(self, value: object) -> object:
        """Return the part of a source value this index is over (the value itself if whole)."""
        if self.part is None or not isinstance(value, str):
            return value
        return NAME_PARTS[self.part](value)

    def pre_save(self, model_instance: models.Model, add: bool) -> int | None:
        current: int | None = getattr(model_instance, self.attname)
        untouched = all(
            type(model_instance.__dict__.get(f.attname)) is Ciphertext for f in self.source_fields()
        )
        if untouched and current is not None:
            # Sources unchanged since loading: skip decrypting them just to re-hash.
            return current
        values = [getattr(model_instance, f.attname) for f in self.source_fields()]
        if any(v is ERASED for v in values):
            return current
        value = self.compute(values)
        setattr(model_instance, self.attname, value)
        return value


def check_blind_indexes(model: type[models.Model]) -> None:
    """Refuse indexes with unknown or unsuitable sources, and any index of a date alone."""
    for index in registry.blind_index_fields(model):
        where = f"{model._meta.label}.{index.name}"
        fields = []
        for name in index.sources:
            try:
                fields.append(model._meta.get_field(name))
            except FieldDoesNotExist:
                raise ImproperlyConfigured(f"{where}: source {name!r} is not a field.") from None
        for field in fields:
            if not isinstance(field, _INDEXABLE) or isinstance(field, BlindIndexField):
                raise ImproperlyConfigured(
                    f"{where}: source {field.name!r} ({type(field).__name__}) cannot be indexed; "
                    "use text, date or integer fields."
                )
        if all(isinstance(field, models.DateField) for field in fields):
            raise ImproperlyConfigured(
                f"{where}: a blind index on a date alone is refused (a birth date narrows "
                "people down too far); combine it with a name, e.g. sources=['kana', 'birth_date']."
            )


registry.add_model_check(check_blind_indexes)


@receiver(pre_save)
def _refuse_stale_index(
    sender: type[models.Model],
    instance: models.Model,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    if update_fields is None:
        return
    for index in registry.blind_index_fields(sender) if hasattr(sender, "_meta") else ():
        if index.name not in update_fields and set(index.sources) & set(update_fields):
            raise EncryptionError(
                f"{sender._meta.label}: saving {sorted(set(index.sources) & set(update_fields))} "
                f"with update_fields must also update {index.name!r}."
            )


def _choose_index(
    model: type[models.Model], names: Iterable[str], part: str | None = None
) -> BlindIndexField:
    wanted = set(names)
    usable = [
        i for i in registry.blind_index_fields(model) if set(i.sources) <= wanted and i.part == part
    ]
    if not usable:
        raise EncryptionError(
            f"{model._meta.label} has no blind index over {sorted(wanted)}; "
            f"indexes: {[list(i.sources) for i in registry.blind_index_fields(model)]}."
        )
    best: BlindIndexField = max(usable, key=lambda i: len(i.sources))
    return best


def blind_lookup(
    model: type[models.Model], criteria: Mapping[str, object], part: str | None = None
) -> tuple[str, int] | None:
    """Return (column, value) of the blind index that narrows to criteria's candidates.

    None when the criteria have no index value (nothing can match).
    """
    index = _choose_index(model, criteria, part)
    value = index.compute([criteria[name] for name in index.sources])
    return None if value is None else (index.attname, value)


def blind_filter(
    queryset: models.QuerySet[_M], criteria: Mapping[str, object], part: str | None = None
) -> models.QuerySet[_M]:
    """Return the candidates sharing the blind index of criteria (a superset of the matches)."""
    lookup = blind_lookup(queryset.model, criteria, part)
    if lookup is None:
        return queryset.none()
    column, value = lookup
    return queryset.filter(**{column: value})


def blind_search(
    queryset: models.QuerySet[_M], criteria: Mapping[str, object], part: str | None = None
) -> list[_M]:
    """Return the rows whose decrypted values equal criteria after normalisation.

    criteria maps field names to plaintext, e.g. {"kana": "やまだたろう", "birth_date": date}.
    Rows are narrowed by the blind index in SQL, then each candidate is decrypted and
    compared exactly, so bucket collisions never show up as matches. With part="family",
    criteria name a family name, compared with the family part of each candidate's value.
    """
    return blind_matches(list(blind_filter(queryset, criteria, part)), criteria, part)


def blind_matches(
    candidates: Sequence[_M], criteria: Mapping[str, object], part: str | None = None
) -> list[_M]:
    """Return the candidates (read by their blind index) whose values equal criteria."""
    take = NAME_PARTS[part] if part is not None else None
    with keycache.key_cache():  # the candidates' keys, unwrapped once for the comparisons
        prefetch_data_keys(list(candidates))
        wanted = {name: normalise_value(value) for name, value in criteria.items()}
        matches = []
        for row in candidates:
            values = {name: getattr(row, name) for name in wanted}
            if any(v is None or v is ERASED for v in values.values()):
                continue
            if take is not None:
                values = {name: take(v) if isinstance(v, str) else v for name, v in values.items()}
            if all(normalise_value(values[name]) == wanted[name] for name in wanted):
                matches.append(row)
        return matches
