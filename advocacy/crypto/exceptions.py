"""Errors raised by field encryption; none of their messages carry keys or plaintext."""

from __future__ import annotations

from django.core.exceptions import FieldError, ImproperlyConfigured


class KeyFileError(ImproperlyConfigured):
    """The key file is missing, unreadable, too open or malformed."""


class EncryptionError(Exception):
    """A value could not be encrypted (no owner, no data key, unsupported write path)."""


class OwnerErasedError(EncryptionError):
    """The owner's data keys were destroyed, so nothing new may be stored for them."""


class EncryptedLookupError(FieldError):
    """A query tried to compare or sort on an encrypted column."""


class DecryptionError(Exception):
    """A stored value could not be decrypted; never fall back to the stored bytes."""

    def __init__(
        self,
        reason: str,
        *,
        model_label: str = "",
        field_name: str = "",
        row_id: object = None,
        detail: str = "",
    ) -> None:
        self.reason = reason
        self.model_label = model_label
        self.field_name = field_name
        self.row_id = row_id
        self.detail = detail
        where = f"{model_label}.{field_name} of row {row_id}" if model_label else "a value"
        message = f"Could not decrypt {where}: {reason}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)

    def located(self, *, model_label: str, field_name: str, row_id: object) -> DecryptionError:
        """Return the same failure, now naming the column and row it came from."""
        return type(self)(
            self.reason,
            model_label=model_label,
            field_name=field_name,
            row_id=row_id,
            detail=self.detail,
        )


class UnknownMasterKeyError(DecryptionError):
    """A data key is wrapped under a master key id that the key file does not hold."""
