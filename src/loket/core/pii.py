"""Encryption at rest and keyed look-up hashes for personal data (NIK, phone).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys in
``settings.PII_KEYS``; the first key encrypts, all keys decrypt, so keys can be
rotated. A keyed BLAKE2b hash (``settings.PII_HASH_KEY``) lets us find rows by
NIK without decrypting the table.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.query_utils import DeferredAttribute


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.PII_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a key was removed before rotation finished
        raise ValueError("personal data cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the first (newest) key."""
    return fernet().rotate(token.encode()).decode()


def lookup_hash(value: str) -> str:
    key = settings.PII_HASH_KEY.encode()
    return hashlib.blake2b(value.strip().encode(), key=key[:64], digest_size=32).hexdigest()


def mask(value: str, visible: int = 4) -> str:
    """`3201********0003`: enough to recognise, not enough to misuse."""
    if not value:
        return ""
    if len(value) <= visible:
        return "*" * len(value)
    head = 4 if len(value) > 10 else 0
    return value[:head] + "*" * (len(value) - head - visible) + value[-visible:]


class Sealed:
    """A column's ciphertext, read but not yet decrypted (`core.prepared`'s hot reads).

    The attribute decrypts it on first access and keeps the value: a step that never
    reads the applicant's name, NIK or data never pays to decrypt them. Until a new
    value is assigned, the attribute's stored value stays this object, so a snapshot of
    the row can tell "unchanged" without decrypting (`snapshot`)."""

    __slots__ = ("field", "opened", "pristine", "token", "value")

    def __init__(self, field: EncryptedTextField | EncryptedJSONField, token: str) -> None:
        self.field = field
        self.token = token
        self.opened = False
        self.value: Any = None
        self.pristine = b""

    def open(self) -> Any:
        if not self.opened:
            self.value = self.field.from_db_value(self.token, None, None)  # type: ignore[no-untyped-call]
            if isinstance(self.value, dict | list):
                # Changed in place later only if its pickle differs from this one.
                self.pristine = pickle.dumps(self.value, pickle.HIGHEST_PROTOCOL)
            self.opened = True
        return self.value

    def snapshot(self) -> Any:
        """What `cases.flow` compares to see whether the column changed: the token while
        the value is the one read (also after an in-place change is undone)."""
        if self.opened and self.pristine:
            now = pickle.dumps(self.value, pickle.HIGHEST_PROTOCOL)
            return ("sealed", self.token) if now == self.pristine else now
        return ("sealed", self.token)


class DecryptingAttribute(DeferredAttribute):
    """Gives the plaintext of a Sealed value, decrypting it on first access."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname, _ABSENT)
        if value is _ABSENT:
            return super().__get__(instance, cls)  # a deferred column: the ORM loads it
        if type(value) is Sealed:
            return value.open()
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


_ABSENT = object()


def sealing_converter(field: EncryptedTextField | EncryptedJSONField) -> Any:
    """A database converter that keeps `field`'s ciphertext sealed instead of decrypting
    it; empty values are converted at once, as `from_db_value` does."""

    def seal(value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return field.from_db_value(value, expression, connection)  # type: ignore[no-untyped-call]
        return Sealed(field, value)

    return seal


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads give plaintext, writes encrypt."""

    descriptor_class = DecryptingAttribute

    def from_db_value(self, value, expression, connection):  # type: ignore[no-untyped-def]
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):  # type: ignore[no-untyped-def]
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


class EncryptedJSONField(models.TextField):
    """A JSON document stored encrypted: submitted application data holds personal data
    (NIK, phone, addresses) that UU PDP wants protected at rest. Reads give the decoded
    value; the column cannot be queried by content, which nothing needs."""

    descriptor_class = DecryptingAttribute

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):  # type: ignore[no-untyped-def]
        if value is None or value == "":
            return {}
        return json.loads(decrypt(value))

    def to_python(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, str):
            return json.loads(value) if value else {}
        return value

    def get_prep_value(self, value):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
        return encrypt(text)

    def value_to_string(self, obj):  # type: ignore[no-untyped-def]
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder)
