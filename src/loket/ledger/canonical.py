"""Canonical JSON for ledger entries: a strict subset of RFC 8785 (JCS).

The bytes a leaf hash covers must be reproducible by anyone, in any language,
from the published entry. The rules (docs/ledger.md, "Canonical JSON"):

- objects with string keys, sorted by their UTF-16 code units (as JCS does);
  no whitespace anywhere; the output is UTF-8;
- strings escape only ``"``, ``\\``, and control characters below U+0020
  (``\\b \\t \\n \\f \\r`` by name, the rest as ``\\u00xx`` lower-case), as JCS does;
- numbers are integers in the I-JSON safe range ±(2^53 − 1); floats are
  refused because their text form is where JSON encoders disagree;
- ``true``, ``false``, ``null``; arrays keep their order;
- strings must be valid Unicode without U+0000 (PostgreSQL cannot store it).

:func:`normalize` turns the Python values callers naturally have into that
JSON model first: aware datetimes become RFC 3339 UTC strings with
microseconds (``2025-01-31T02:03:04.000005Z``), dates ``YYYY-MM-DD``, UUIDs
their hyphenated lower-case form, tuples lists.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any, TypeAlias

from loket.core.errors import ValidationError

MAX_SAFE_INTEGER = 2**53 - 1

JsonValue: TypeAlias = bool | int | str | list["JsonValue"] | dict[str, "JsonValue"] | None


def format_timestamp(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with exactly six fractional digits and a ``Z``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError("datetimes in ledger entries must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalize(value: Any, path: str = "$") -> JsonValue:
    """Convert ``value`` to the canonical JSON data model, refusing what it cannot hold."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if "\x00" in value:
            # PostgreSQL text and jsonb cannot hold U+0000.
            raise ValidationError(f"{path}: strings must not contain U+0000", field=path)
        # str.__str__ drops str subclasses (enums) to their plain text value.
        return str.__str__(value)
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValidationError(f"{path}: integer outside ±(2^53−1)", field=path)
        return int(value)
    if isinstance(value, float):
        raise ValidationError(f"{path}: floats are not allowed; use integers", field=path)
    if isinstance(value, dt.datetime):
        return format_timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        result: dict[str, JsonValue] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError(f"{path}: object keys must be strings", field=path)
            if "\x00" in key:
                raise ValidationError(f"{path}: keys must not contain U+0000", field=path)
            result[str.__str__(key)] = normalize(item, f"{path}.{key}")
        return result
    if isinstance(value, list | tuple):
        return [normalize(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise ValidationError(
        f"{path}: {type(value).__name__} cannot be written to the ledger", field=path
    )


def _utf16_key(key: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly like JCS's UTF-16 code unit order.
    return key.encode("utf-16-be", "surrogatepass")


def _encode(value: JsonValue, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, str):
        # json.dumps with ensure_ascii=False escapes exactly the JCS set.
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, list):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _encode(value[key], out)
        out.append("}")


def canonical_text(value: Any) -> str:
    """The canonical JSON text of ``value`` (normalized first)."""
    out: list[str] = []
    _encode(normalize(value), out)
    text = "".join(out)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError("strings must be valid Unicode (no lone surrogates)") from exc
    return text


def canonical_bytes(value: Any) -> bytes:
    """The UTF-8 bytes of :func:`canonical_text`: what the leaf hash covers."""
    return canonical_text(value).encode("utf-8")
