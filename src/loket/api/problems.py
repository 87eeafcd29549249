"""RFC 9457 problem details: the one error shape of /api/v1.

Every error body has `type` (a page of this Loket's docs, /api/problems/<code>),
`title` and `detail` in the request's language, `status`, and for input errors
`field` (the first bad field, named as the request names it) with `errors`
([{field, message}]) and `invalid_params` ([{name, reason}], RFC 9457's example
extension) listing every bad field.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# One title per status, translated: the class names' English titles stay internal.
TITLES = {
    400: _("Malformed request"),
    401: _("Not signed in"),
    403: _("Not authorised"),
    404: _("Not found"),
    409: _("Conflict"),
    413: _("Too large"),
    415: _("Unsupported media type"),
    422: _("Invalid input"),
    429: _("Too many requests"),
}


def type_url(code: str) -> str:
    """Where the problem type `code` is explained (loket.api.views.problem_type)."""
    return f"{settings.PUBLIC_BASE_URL}/api/problems/{code}"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    code: str | None = None,
    field: str | None = None,
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    """A problem+json response. `title` is used only for a status without a title of ours."""
    if errors is None and field:
        errors = [{"field": field, "message": detail}]
    body: dict[str, Any] = {
        "type": type_url(code) if code else "about:blank",
        "title": str(TITLES.get(status) or gettext(title)),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["field"] = field or errors[0]["field"]
        body["errors"] = errors
        body["invalid_params"] = [{"name": e["field"], "reason": e["message"]} for e in errors]
    body.update({k: v for k, v in extra.items() if v is not None})
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json"
    )
