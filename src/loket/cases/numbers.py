"""Tracking numbers (public, short, unambiguous) and access codes (secret)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction

from loket.cases.models import TrackingSequence
from loket.core import prepared

# No 0/O, 1/I/L: codes are read aloud and typed from paper receipts.
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_CODE_LENGTH = 8


def next_sequence(
    prefix: str,
    year: int,
    *,
    also: Sequence[tuple[str, Sequence[Any]]] = (),
    found_also: list[Any] | None = None,
) -> int:
    """The next number for prefix/year; called inside the submitting transaction.

    One UPDATE ... RETURNING takes the number and the row lock together, which
    serialises concurrent submissions of one service; only the first submission of
    a year also inserts the row. A rolled-back submission gives its number back; a
    number is never used twice. The statements `also` are run right after it, in its
    round trip on PostgreSQL, their first rows put in `found_also`.
    """
    taken = _increment(prefix, year, also, found_also)
    if taken is None:
        # ignore_conflicts makes a concurrent first submission of the year harmless.
        TrackingSequence.objects.bulk_create(
            [TrackingSequence(prefix=prefix, year=year, last=0)], ignore_conflicts=True
        )
        taken = _increment(prefix, year)
    if taken is None:
        raise RuntimeError(f"the tracking sequence {prefix}-{year} cannot be created")
    return taken


def _increment(
    prefix: str,
    year: int,
    also: Sequence[tuple[str, Sequence[Any]]] = (),
    found_also: list[Any] | None = None,
) -> int | None:
    db = transaction.get_connection()
    quote = db.ops.quote_name
    meta = TrackingSequence._meta
    columns = {field.name: quote(str(field.column)) for field in meta.concrete_fields}
    last, prefix_column, year_column = columns["last"], columns["prefix"], columns["year"]
    # Identifiers come from model metadata, values are parameters.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {last} = {last} + 1 "  # noqa: S608
        f"WHERE {prefix_column} = %s AND {year_column} = %s RETURNING {last}"
    )
    # A submission's first statement: on PostgreSQL it goes with the BEGIN.
    rows = prepared.first_rows(db, [(sql, [prefix, year]), *also])
    if found_also is not None:
        found_also.extend(rows[1:])
    row = rows[0]
    return None if row is None else int(row[0])


def tracking_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}-{year}-{sequence:06d}"


def new_access_code() -> str:
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def normalize_access_code(code: str) -> str:
    # Forgive the usual slips when typing from a receipt: case, spaces, dashes.
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@lru_cache(maxsize=2)
def _access_code_key(secret_key: str) -> bytes:
    # Derived once per secret, not on every status look-up.
    return hashlib.sha256(("loket.access-code:" + secret_key).encode()).digest()


def hash_access_code(tracking: str, code: str) -> str:
    # HMAC rather than a slow password hash: the code is random (40 bits) and
    # checked on every status look-up; the key lives outside the database.
    key = _access_code_key(settings.SECRET_KEY)
    digest = hmac.new(key, f"{tracking}:{normalize_access_code(code)}".encode(), "sha256")
    return "hmac-sha256$" + digest.hexdigest()


def check_access_code(tracking: str, code: str, stored_hash: str) -> bool:
    if not code or not stored_hash:
        return False
    return hmac.compare_digest(hash_access_code(tracking, code), stored_hash)
