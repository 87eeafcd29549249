"""Pydantic's validation errors said the way the request says them, in its language.

`loc` is (where, parameter, *path): `("body", "body", "username")` is the JSON
field `username` (a route's one body schema is the whole JSON object), and
`("header", "Idempotency-Key")` the header. Messages for the usual error types are
ours, translated; any other falls back to pydantic's (English) text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _


def field_name(error: dict[str, Any]) -> str:
    """The field as the client sent it: `username`, `data.modal_usaha`, `Idempotency-Key`."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] == "body":
        path = loc[2:]
        return ".".join(path) or "body"
    return ".".join(loc[1:]) or (loc[0] if loc else "body")


def _limit(error: dict[str, Any], key: str) -> Any:
    return (error.get("ctx") or {}).get(key, "")


_MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda e: _("This field is required."),
    "string_type": lambda e: _("Give text here."),
    "string_too_short": lambda e: (
        _("Give at least %(min)s characters.") % {"min": _limit(e, "min_length")}
    ),
    "string_too_long": lambda e: (
        _("Give at most %(max)s characters.") % {"max": _limit(e, "max_length")}
    ),
    "int_type": lambda e: _("Give a whole number."),
    "int_parsing": lambda e: _("Give a whole number."),
    "bool_parsing": lambda e: _("Give true or false."),
    "bool_type": lambda e: _("Give true or false."),
    "greater_than_equal": lambda e: (
        _("Give a number of at least %(min)s.") % {"min": _limit(e, "ge")}
    ),
    "less_than_equal": lambda e: _("Give a number of at most %(max)s.") % {"max": _limit(e, "le")},
    "literal_error": lambda e: _("Give one of: %(choices)s.") % {"choices": _limit(e, "expected")},
    "enum": lambda e: _("Give one of: %(choices)s.") % {"choices": _limit(e, "expected")},
    "uuid_parsing": lambda e: _("Give an identifier in UUID form."),
    "uuid_type": lambda e: _("Give an identifier in UUID form."),
    "date_from_datetime_parsing": lambda e: _("Give a date as YYYY-MM-DD."),
    "date_parsing": lambda e: _("Give a date as YYYY-MM-DD."),
    "datetime_parsing": lambda e: _("Give a moment as an ISO 8601 date and time."),
    "model_attributes_type": lambda e: _("Give a JSON object."),
    "dict_type": lambda e: _("Give a JSON object."),
    "list_type": lambda e: _("Give a JSON list."),
}


def message(error: dict[str, Any]) -> str:
    """What is wrong with the field, in the active language."""
    explain = _MESSAGES.get(str(error.get("type", "")))
    return explain(error) if explain else str(error.get("msg", _("This value is not valid.")))
