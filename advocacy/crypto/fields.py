"""Model fields whose values are stored encrypted under the owner's data key.

Each encrypted field behaves like its plain counterpart in Python, forms and the admin (same
to_python, validators and form field); only the column is binary. A loaded value stays
encrypted until its attribute is first read.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.db.backends.utils import format_number
from django.db.models.expressions import Col
from django.db.models.lookups import IsNull
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property

from . import envelope, keycache, registry
from .erased import ERASED
from .exceptions import DecryptionError, EncryptedLookupError, EncryptionError
from .signals import decryption_failed

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.expressions import Expression
    from django.db.models.lookups import Lookup, Transform
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

    # django-stubs makes fields generic in their set and get types; Django's field classes
    # take no subscript at run time, so the parameters exist for the checker only, and the
    # mixin is a Field to the checker and a plain class (before one) at run time.
    _MixinBase = models.Field[Any, Any]
    _TextField = models.TextField[Any, Any]
    _CharField = models.CharField[Any, Any]
    _DateField = models.DateField[Any, Any]
    _DecimalField = models.DecimalField[Any, Any]
    _IntegerField = models.IntegerField[Any, Any]
    _JSONField = models.JSONField[Any, Any]
else:
    _MixinBase = object
    _TextField = models.TextField
    _CharField = models.CharField
    _DateField = models.DateField
    _DecimalField = models.DecimalField
    _IntegerField = models.IntegerField
    _JSONField = models.JSONField


class Ciphertext:
    """A stored value not yet decrypted; it never stands in for the data itself."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __repr__(self) -> str:
        return f"<Ciphertext {len(self.blob)} bytes>"

    @property
    def generation(self) -> int:
        return envelope.generation_of(self.blob)


class Sealed(bytes):
    """Envelope bytes produced for one row and column; the only thing the column accepts."""


class DecryptingAttribute(DeferredAttribute):
    """Decrypt a field's value on first access and keep the plaintext on the instance."""

    field: EncryptedMixin

    def __get__(self, instance: models.Model | None, cls: type[models.Model] | None = None) -> Any:
        if instance is None:
            return self
        try:
            value = instance.__dict__[self.field.attname]
        except KeyError:
            value = super().__get__(instance, cls)
        if type(value) is Ciphertext:
            value = self.field.decrypt_stored(instance, value)
            if value is not ERASED:
                instance.__dict__[self.field.attname] = value
        return value

    # A data descriptor, so that reads always pass through __get__ above.
    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


def decrypt_in_place(instance: models.Model, fields: Iterable[EncryptedMixin]) -> None:
    """Decrypt now those of fields that instance still holds encrypted.

    For a page that shows the same fields of every row: its owner's key and its row binding
    are found once per row, and decrypting before the template runs, not while it runs, was
    measured faster (bench/bench_crypto.py). A value that does not decrypt (altered, moved,
    its owner erased) is left as it is: reading it raises and reports the failure as usual.
    """
    values = instance.__dict__
    keys: keycache.OwnerKeys | None = None
    row = b""
    for field in fields:
        stored = values.get(field.attname)
        if type(stored) is not Ciphertext:
            continue
        if keys is None:
            owner_id = field._owner_of(instance)
            if owner_id is None:
                return
            keys, row = keycache.owner_keys(owner_id), _row_id(instance)
        try:
            value = field._decrypt(keys, stored.blob, row)
        except DecryptionError:
            continue
        if value is not ERASED:
            values[field.attname] = value


def _row_id(instance: models.Model) -> bytes:
    row_id = instance.pk
    if type(row_id) is not uuid.UUID:
        row_id = uuid.UUID(str(row_id))
    return row_id.bytes


class EncryptedCol(Col):
    """A column of an encrypted field; refuses to be compiled once resolved for ORDER BY."""

    resolved = False

    def resolve_expression(self, *args: Any, **kwargs: Any) -> EncryptedCol:
        col = super().resolve_expression(*args, **kwargs)
        col.resolved = True
        return col

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        if self.resolved:
            raise EncryptedLookupError(
                f"{self.target.model._meta.label}.{self.target.name} is encrypted and cannot be "
                "sorted or computed on in SQL; sort in Python after decrypting, or sort by a "
                "clear column."
            )
        return super().as_sql(compiler, connection)

    def unchecked(self) -> Col:
        return Col(self.alias, self.target, self.output_field)


class EncryptedIsNull(IsNull):
    """`isnull` is the one lookup that works on ciphertext: NULL stays NULL."""

    def process_lhs(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        lhs: Expression | None = None,
    ) -> _AsSqlType:
        lhs = lhs or self.lhs
        if isinstance(lhs, EncryptedCol):
            lhs = lhs.unchecked()
        return super().process_lhs(compiler, connection, lhs)


_REFUSED_OPTIONS = ("primary_key", "unique", "db_index", "db_default", "unique_for_date")


class EncryptedMixin(_MixinBase):
    """Behaviour shared by every encrypted field; mixed in before a plain field class."""

    descriptor_class = DecryptingAttribute
    crypto_kind = registry.ENCRYPTED

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for option in _REFUSED_OPTIONS:
            if kwargs.get(option):
                # Ciphertext is random: an index or constraint on it matches nothing and
                # a database default would store plaintext.
                raise ImproperlyConfigured(
                    f"{type(self).__name__} does not support {option}=; "
                    "use a BlindIndexField to search."
                )
        super().__init__(*args, **kwargs)

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False, **kwargs: Any
    ) -> None:
        # Field's, not the next class's: DateField's would add get_next_by_<name>(), which
        # sorts by this column.
        models.Field.contribute_to_class(self, cls, name, private_only=private_only, **kwargs)
        registry.declare(cls, self)

    def get_internal_type(self) -> str:
        return "BinaryField"

    def get_placeholder(
        self, value: Any, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> str:
        return connection.ops.binary_placeholder_sql(value)

    # -- Plaintext serialisation; each field type overrides these two. --

    def to_plaintext(self, value: Any) -> bytes:
        return str(self.to_python(value)).encode()

    def from_plaintext(self, raw: bytes) -> Any:
        return self.to_python(raw.decode())

    # -- Database round trip. --

    def from_db_value(
        self, value: Any, expression: Any, connection: BaseDatabaseWrapper
    ) -> Ciphertext | None:
        if value is None:
            return None
        return Ciphertext(bytes(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Sealed | None:
        raw = model_instance.__dict__.get(self.attname)
        value = getattr(model_instance, self.attname)
        if value is None:
            return None
        if value is ERASED:
            if type(raw) is Ciphertext:
                # No key is left to re-encrypt with; keep the stored bytes untouched.
                return Sealed(raw.blob)
            raise EncryptionError(f"{self._where()}: ERASED cannot be stored as a value.")
        return self.encrypt_for(model_instance, value)

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return self.get_db_prep_value(value, connection, prepared=False)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if value is None:
            return None
        if isinstance(value, Sealed):
            # Database, the backend's DB-API module, is missing from django-stubs.
            return cast(Any, connection).Database.Binary(bytes(value))
        # bulk_update(), update() and raw saves bypass pre_save(); refusing is the only way
        # to be sure plaintext never reaches the column.
        raise EncryptionError(
            f"{self._where()} can only be written through Model.save() "
            "(not update(), bulk_update() or raw loading)."
        )

    def value_to_string(self, obj: models.Model) -> str:
        # Serialising (dumpdata, serializers) would write the decrypted value into a file that
        # no key protects, and loaddata could not read it back anyway.
        raise EncryptionError(
            f"{self._where()} is encrypted and is not serialised; back the database up with "
            "its own tools (the columns hold only ciphertext)."
        )

    # -- Encryption. --

    def _where(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    @cached_property
    def _binding_prefix(self) -> bytes:
        return envelope.binding_prefix(self.model._meta.label, self.column)

    def _binding(self, instance: models.Model) -> bytes:
        return self._binding_prefix + _row_id(instance)

    @cached_property
    def _owner_attname(self) -> str:
        return registry.owner_attname(self.model)

    def _owner_of(self, instance: models.Model) -> uuid.UUID | None:
        attname = self._owner_attname
        owner_id = instance.pk if attname == "pk" else getattr(instance, attname)
        if owner_id is None or type(owner_id) is uuid.UUID:
            return owner_id
        return uuid.UUID(str(owner_id))

    def encrypt_for(self, instance: models.Model, value: Any) -> Sealed:
        """Encrypt value for this field of instance under its owner's current data key."""
        owner_id = self._owner_of(instance)
        if owner_id is None:
            raise EncryptionError(
                f"{self._where()}: set {registry.owner_attname(type(instance))} before saving "
                "encrypted values."
            )
        if instance.pk is None:
            raise EncryptionError(f"{self._where()}: the row needs its UUID before saving.")
        generation, aead = keycache.encryption_key(owner_id)
        plaintext = self.to_plaintext(value)
        return Sealed(envelope.seal(aead, generation, plaintext, self._binding(instance)))

    def decrypt_stored(self, instance: models.Model, stored: Ciphertext) -> Any:
        """Return the plaintext of stored, ERASED, or raise DecryptionError (and signal it)."""
        try:
            try:
                return self._decrypt_alone(instance, stored.blob)
            except DecryptionError as exc:
                if exc.reason != "retired_generation":
                    raise
                # Re-encrypted by someone else since this row was loaded: read it again.
                fresh = self._reload(instance)
                if fresh is None or fresh.blob == stored.blob:
                    raise
                value = self._decrypt_alone(instance, fresh.blob)
                if value is ERASED:
                    instance.__dict__[self.attname] = fresh
                return value
        except DecryptionError as exc:
            located = exc.located(
                model_label=self.model._meta.label, field_name=self.name, row_id=instance.pk
            )
            decryption_failed.send(
                sender=self.model,
                model_label=located.model_label,
                field_name=located.field_name,
                row_id=located.row_id,
                reason=located.reason,
            )
            raise located from None

    def _reload(self, instance: models.Model) -> Ciphertext | None:
        manager = type(instance)._base_manager.db_manager(instance._state.db)
        stored: Ciphertext | None = (
            manager.filter(pk=instance.pk).values_list(self.attname, flat=True).first()
        )
        return stored

    def _decrypt_alone(self, instance: models.Model, blob: bytes) -> Any:
        owner_id = self._owner_of(instance)
        if owner_id is None:
            raise DecryptionError("no_owner", detail="the row names no owner")
        return self._decrypt(keycache.owner_keys(owner_id), blob, _row_id(instance))

    def _decrypt(self, keys: keycache.OwnerKeys, blob: bytes, row_id: bytes) -> Any:
        """Decrypt blob, stored in this column of row row_id, with the owner's keys."""
        generation = envelope.generation_of(blob)
        aead = keys.live.get(generation) or keys.decryption_key(generation)
        if not isinstance(aead, AESGCM):  # the owner was erased
            return ERASED
        plaintext = envelope.unseal(aead, blob, self._binding_prefix + row_id)
        try:
            return self.from_plaintext(plaintext)
        except (ValueError, TypeError, ArithmeticError, ValidationError) as exc:
            raise DecryptionError(
                "bad_plaintext", detail=f"not a valid {type(self).__name__} ({type(exc).__name__})"
            ) from None

    # -- Queries: nothing but isnull. --

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]]:
        if lookup_name == "isnull":
            return EncryptedIsNull
        raise EncryptedLookupError(
            f"{self._where()} is encrypted; only the 'isnull' lookup works on it, not "
            f"{lookup_name!r}. Search with a BlindIndexField (see blind_search)."
        )

    def get_transform(self, lookup_name: str) -> type[Transform]:
        raise EncryptedLookupError(
            f"{self._where()} is encrypted; {lookup_name!r} cannot be applied to it in SQL."
        )

    def get_col(self, alias: str, output_field: models.Field[Any, Any] | None = None) -> Col:
        if alias == self.model._meta.db_table and (output_field is None or output_field == self):
            return self.cached_col
        return EncryptedCol(alias, self, output_field)

    @cached_property
    def cached_col(self) -> Col:
        return EncryptedCol(self.model._meta.db_table, self)

    # -- Validation on the plaintext; an erased value is left alone. --

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        if value is ERASED:
            return value
        return super().clean(value, model_instance)


class EncryptedTextField(EncryptedMixin, _TextField):
    """Free text, encrypted; max_length (if given) is checked on the plaintext."""


class EncryptedCharField(EncryptedMixin, _CharField):
    """A short text (single-line input), encrypted; max_length is checked on the plaintext."""

    def _check_db_collation(self, databases: Any) -> list[Any]:
        return []


class EncryptedDateField(EncryptedMixin, _DateField):
    """A date, encrypted; stored as its ISO form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("auto_now") or kwargs.get("auto_now_add"):
            raise ImproperlyConfigured("EncryptedDateField does not support auto_now(_add).")
        super().__init__(*args, **kwargs)

    def to_plaintext(self, value: Any) -> bytes:
        plaintext: bytes = self.to_python(value).isoformat().encode()
        return plaintext


class EncryptedDecimalField(EncryptedMixin, _DecimalField):
    """A decimal, encrypted; rounded to decimal_places like a plain DecimalField column."""

    def to_plaintext(self, value: Any) -> bytes:
        number = format_number(self.to_python(value), self.max_digits, self.decimal_places)
        if number is None:  # pre_save() stores None as NULL and never asks
            raise EncryptionError(f"{self._where()}: None is not encrypted.")
        return number.encode()


class EncryptedIntegerField(EncryptedMixin, _IntegerField):
    """A whole number, encrypted."""

    _validators: list[Callable[[Any], None]]  # set by Field.__init__

    @cached_property
    def validators(self) -> list[Callable[[Any], None]]:
        # The plain field adds the range of its database column; this column is binary.
        return [*self.default_validators, *self._validators]


class EncryptedJSONField(EncryptedMixin, _JSONField):
    """A JSON document, encrypted as its compact UTF-8 text; None stays SQL NULL."""

    def to_plaintext(self, value: Any) -> bytes:
        return json.dumps(
            value, cls=self.encoder, ensure_ascii=False, separators=(",", ":")
        ).encode()

    def from_plaintext(self, raw: bytes) -> Any:
        return json.loads(raw.decode(), cls=self.decoder)

    def to_python(self, value: Any) -> Any:
        return value
