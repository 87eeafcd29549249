"""The applicant's tracking GET answered before django-ninja parses it (issue 11).

`GET /api/v1/applications/{n}` is the request every applicant repeats. For it, ninja's
operation spent about a fifth of the request's own time on what this view does in a few
lines: three pydantic parameter models (path, query, header; the header one builds
`request.headers` from the whole environ) and a walk through the API's URL patterns. The
operation stays registered in ninja, so the OpenAPI document describes the route as
before, and it still answers every request this view does not take as it is: another
method, a query parameter other than one `access_code`, a value out of the documented
lengths. Those are the requests whose answers (405, 422, ...) ninja shapes.

The checks are the operation's own (`routers.get_application`): the same signed-in
applicant, access code, lock-out and failure counting, and errors go through the API's
exception handlers as ninja sends them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from loket.api.api import api
from loket.cases.api import routers

View = Callable[..., HttpResponseBase]

# The documented lengths (schemas.TRACKING, and the access code's Query and Header).
_NUMBER_LENGTHS = range(3, 33)
_CODE_MAX = 32


def _code_if_plain(request: HttpRequest, tracking_number: str) -> str | None:
    """The access code of a GET this view answers exactly as ninja would, else None."""
    if request.method != "GET" or len(tracking_number) not in _NUMBER_LENGTHS:
        return None
    query = request.GET
    codes: list[str] = []
    for key in query:
        if key != "access_code":
            return None
        codes = query.getlist(key)
    if len(codes) > 1 or (codes and len(codes[0]) > _CODE_MAX):
        return None
    header = request.META.get("HTTP_X_ACCESS_CODE", "")
    if len(header) > _CODE_MAX:
        return None
    return header or (codes[0] if codes else "")


def view_over(ninja_view: View) -> View:
    """The tracking GET's view; `ninja_view` (the operation's own) answers the rest."""

    def track_application(request: HttpRequest, tracking_number: str) -> HttpResponseBase:
        code = _code_if_plain(request, tracking_number)
        if code is None:
            return ninja_view(request, tracking_number=tracking_number)
        try:
            return routers.get_application(request, tracking_number, "", code)
        except Exception as exc:  # as ninja's run: every error goes to the API's handlers
            return api.on_exception(request, exc)

    # As ninja marks its views: the API checks CSRF itself where a cookie is trusted.
    track_application.csrf_exempt = True  # type: ignore[attr-defined]
    return track_application
