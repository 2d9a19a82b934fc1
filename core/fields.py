"""Encrypted model fields: content that may hold special data is ciphertext in the database.

SPEC R-10-4 (encryption at rest), docs/encryption.md. The fields are django-fernet-encrypted-
fields' own, with three changes that matter for a record about children:

* a value that looks like a Fernet token but cannot be decrypted raises `DecryptionError`
  instead of showing the ciphertext (the library swallows InvalidToken): a wrong or missing key
  must stop the page, not show gibberish or an empty note;
* an empty string stays an empty string (the library stores NULL, which NOT NULL columns and
  the models' `CheckConstraint(~Q(field=""))` cannot take); emptiness discloses nothing;
* lookups other than `isnull` and `exact` against "" are refused with a `FieldError`: Fernet
  tokens are random, so a filter on content would silently match nothing.

The keys are derived as the library derives them (PBKDF2-SHA256 over SECRET_KEY and
SECRET_KEY_FALLBACKS, salted with each entry of settings.SALT_KEY; the first combination
encrypts, all decrypt), but once per process for all fields together instead of once per field,
and from the settings as they are now (key rotation in tests needs no cache reset).
"""

import base64
import binascii
import functools
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Field, Lookup, Model
from django.db.models.lookups import Exact

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from encrypted_fields import fields as library

# A Fernet token: version byte 0x80, 8-byte time, 16-byte IV, ciphertext in 16-byte blocks (at
# least one), 32-byte HMAC; base64url with padding.
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_TOKEN_OVERHEAD = 1 + 8 + 16 + 32


class DecryptionError(RuntimeError):
    """A stored token could not be decrypted with any configured key (wrong or missing key)."""


def looks_like_token(value: str) -> bool:
    """Whether `value` has the shape of a Fernet token (and so must decrypt, or fail loudly)."""
    if len(value) < 100 or not _TOKEN_CHARS.match(value):
        return False
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError):
        return False
    body = len(raw) - _TOKEN_OVERHEAD
    return raw[0] == 0x80 and body >= 16 and body % 16 == 0


@functools.lru_cache(maxsize=8)
def _derive(secret_keys: tuple[str, ...], salts: tuple[str, ...]) -> tuple[bytes, ...]:
    """The library's key derivation (encrypted_fields.fields.EncryptedFieldMixin.keys), cached."""
    keys = []
    for secret_key in secret_keys:
        for salt in salts:
            kdf = PBKDF2HMAC(
                algorithm=hashes.SHA256(), length=32, salt=salt.encode("utf-8"), iterations=100_000
            )
            keys.append(base64.urlsafe_b64encode(kdf.derive(secret_key.encode("utf-8"))))
    return tuple(keys)


def current_keys() -> tuple[bytes, ...]:
    """The Fernet keys of the current settings; the first one encrypts.

    Raises ImproperlyConfigured when no salt key is configured (settings refuse to start without
    one when DEBUG is off; this catches a test or a script that removed it).
    """
    salts = getattr(settings, "SALT_KEY", None)
    if isinstance(salts, str):
        salts = [salts]
    if not salts or not all(salts):
        raise ImproperlyConfigured(
            "SALT_KEY (FIELD_ENCRYPTION_SALT_KEYS) is empty: encrypted fields have no key."
        )
    secrets = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", []))
    return _derive(tuple(secrets), tuple(salts))


def current_fernet() -> MultiFernet:
    """A MultiFernet over the current keys: encrypts with the first, decrypts with any."""
    return _multi_fernet(current_keys())


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(value: str) -> str:
    """The token of `value` under the current first key (used by the fields and the migrations)."""
    return current_fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(value: str, *, where: str = "an encrypted field") -> str:
    """The plaintext of token `value`; raises DecryptionError naming `where` (never the value)."""
    try:
        return current_fernet().decrypt(value.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise DecryptionError(
            f"{where} holds a value that none of the configured keys decrypts: check "
            "FIELD_ENCRYPTION_SALT_KEYS, SECRET_KEY and SECRET_KEY_FALLBACKS (docs/encryption.md)."
        ) from error


class _EmptyOnlyExact(Exact):
    """`field=""` works (constraints use it); `field="some text"` cannot match a random token."""

    def get_prep_lookup(self) -> Any:
        if isinstance(self.rhs, str) and self.rhs != "":
            raise FieldError(
                f"{getattr(self.lhs, 'target', 'this field')} is encrypted: compare it with an "
                "empty string only."
            )
        return super().get_prep_lookup()


class StrictEncryptionMixin:
    """The changes to the library's fields described in the module docstring."""

    @property
    def keys(self) -> list[bytes]:
        return list(current_keys())

    @property
    def f(self) -> MultiFernet:
        return current_fernet()

    def get_prep_value(self, value: Any) -> Any:
        if value == "":
            return ""
        return super().get_prep_value(value)  # type: ignore[misc]

    def to_python(self, value: Any) -> Any:
        if (
            not isinstance(value, str)
            or value == ""
            or hasattr(self, "_already_decrypted")
            # Plaintext: a form's value on its way in, a fixture, a row not yet converted.
            or not looks_like_token(value)
        ):
            return super(library.EncryptedFieldMixin, self).to_python(value)  # type: ignore[misc]
        plain = decrypt(value, where=str(self))
        return super(library.EncryptedFieldMixin, self).to_python(plain)  # type: ignore[misc]

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)  # type: ignore[misc]
        if lookup_name == "exact":
            return _EmptyOnlyExact
        raise FieldError(
            f"'{lookup_name}' lookups on {self} are not possible: the database holds ciphertext."
        )


class EncryptedTextField(StrictEncryptionMixin, library.EncryptedTextField):
    """A TextField whose value is stored as a Fernet token (docs/encryption.md)."""


class EncryptedCharField(StrictEncryptionMixin, library.EncryptedCharField):
    """A CharField (max_length checked on the plaintext) stored as a Fernet token in a text
    column (docs/encryption.md)."""


ENCRYPTED_FIELD_CLASSES = (EncryptedTextField, EncryptedCharField)


def encrypted_fields() -> list[tuple[type[Model], Field]]:  # type: ignore[type-arg]
    """(model, field) for every encrypted field of every installed model."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, ENCRYPTED_FIELD_CLASSES)
    ]


@dataclass
class RotationResult:
    """What `rotate_field_keys` did with one field."""

    label: str
    checked: int = 0
    rewritten: int = 0


def rotate(*, batch_size: int = 500) -> list[RotationResult]:
    """Re-encrypt every encrypted value that is not under the current first key.

    In batches by primary key, each batch in its own transaction; idempotent (a value already
    under the first key is left alone) and safe next to live writes: a row changed since it was
    read is skipped (compare-and-set), and it was written under the first key anyway. A value
    that no configured key decrypts raises DecryptionError: rotation never drops data.
    Plaintext left over from before the migration is encrypted too.
    """
    first = Fernet(current_keys()[0])
    results = []
    for model, field in encrypted_fields():
        result = RotationResult(label=f"{model._meta.label}.{field.name}")
        quote = connection.ops.quote_name
        table, pk, column = (
            quote(model._meta.db_table),
            quote(model._meta.pk.column),
            quote(field.column),
        )
        last: Any = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                after = f" AND {pk} > %s" if last is not None else ""
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''{after} "  # noqa: S608
                    f"ORDER BY {pk} LIMIT %s",
                    [*([last] if last is not None else []), batch_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                changes = []
                for row_pk, value in rows:
                    result.checked += 1
                    if value is None or _under(first, value):
                        continue
                    plain = decrypt(value, where=result.label) if looks_like_token(value) else value
                    changes.append((encrypt(plain), row_pk, value))
                for new, row_pk, old in changes:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                        [new, row_pk, old],
                    )
                    result.rewritten += cursor.rowcount
        results.append(result)
    return results


def _under(fernet: Fernet, value: str) -> bool:
    """Whether token `value` decrypts with `fernet` (the first key) alone."""
    if not looks_like_token(value):
        return False
    try:
        fernet.decrypt(value.encode("ascii"))
    except InvalidToken:
        return False
    return True
