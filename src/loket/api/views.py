"""The problem-type pages that the `type` URI of every API error points to."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from loket.api.problem_types import PROBLEM_TYPES


@require_safe
def problem_type(request: HttpRequest, code: str) -> HttpResponse:
    explanation = PROBLEM_TYPES.get(code)
    if explanation is None:
        raise Http404("unknown problem type")
    # The entries are marked with gettext_noop: translated here, in the reader's language.
    context = {"code": code, "explanation": gettext(explanation)}
    return render(request, "api/problem_type.html", context)
