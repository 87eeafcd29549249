"""OpenAPI descriptions of the problem+json (RFC 9457) error responses a route may give.

Use as `openapi_extra=problems(404, 422)` so clients (and schemathesis) know
every status a route can answer with, and that the body is problem+json.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "invalid_params": {"type": "array", "items": {"type": "object"}},
    },
}

_REASONS = {
    400: "Malformed request",
    401: "Not signed in",
    403: "Not authorised",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
}


def problems(*statuses: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """An `openapi_extra` dict documenting problem+json responses for these statuses."""
    responses: dict[str, dict[str, Any]] = {
        str(status): {
            "description": _REASONS.get(status, "Error"),
            "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }
    if "429" in responses:
        # django-axes answers a locked-out sign-in with its (HTML) lockout page.
        responses["429"]["content"]["text/html"] = {"schema": {"type": "string"}}
    return {**(extra or {}), "responses": responses}


class LocalTimeEncoder(NinjaJSONEncoder):
    """Every moment in the agency's time zone (Asia/Jakarta by default), whether it was
    just computed or read back from the database in UTC: the same value always looks
    the same to an integrator. The API's renderer uses it, and so do views that write
    their JSON themselves."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The active zone looked up once per document, not once per moment in it.
        self._zone = timezone.get_current_timezone()

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and o.utcoffset() is not None:
            return iso_moment(o.astimezone(self._zone))
        return super().default(o)


def iso_moment(moment: dt.datetime) -> str:
    """A moment as DjangoJSONEncoder writes it (milliseconds, `Z` for UTC), without its
    chain of type checks: the tracking GET writes several per response."""
    text = moment.isoformat()
    if moment.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text
