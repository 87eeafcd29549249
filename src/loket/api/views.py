"""The problem-type pages that the `type` URI of every API error points to."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from loket.accounts import views as account_views
from loket.api.problem_types import PROBLEM_TYPES
from loket.api.problems import problem


@require_safe
def problem_type(request: HttpRequest, code: str) -> HttpResponse:
    explanation = PROBLEM_TYPES.get(code)
    if explanation is None:
        raise Http404("unknown problem type")
    # The entries are marked with gettext_noop: translated here, in the reader's language.
    context = {"code": code, "explanation": gettext(explanation)}
    return render(request, "api/problem_type.html", context)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a problem+json for the API's
    token endpoint, the accounts app's page for every other sign-in form. It lives here so
    that accounts needs nothing from the API layer above it."""
    if request.path.startswith("/api/"):
        return problem(
            429,
            "Too many attempts",
            _("Too many failed sign-ins: this account or address is locked for a while."),
            code="locked_out",
            field="password",
        )
    return account_views.locked_out(request, response, credentials)
