"""Access control for officer pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from loket.accounts.selectors import active_officer
from loket.org.models import Officer

View = Callable[..., HttpResponseBase]


def officer_required(view: View) -> View:
    """Let through only an active officer who signed in with password and TOTP code.

    A visitor who is signed out goes to the workspace sign-in (and back here
    after); a signed-in account that is not an active officer (an applicant)
    gets 403; an officer signed in with a password only (say, through the
    admin) goes straight to the code step. The view finds the officer as
    `request.officer` (or `current_officer(request)`).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("workspace:login"))
        officer = active_officer(user)
        if officer is None:
            return render(request, "workspace/not_officer.html", status=403)
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None or not is_verified():
            return _to_code_step(request, user)
        request.officer = officer  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def _to_code_step(request: HttpRequest, user: Any) -> HttpResponse:
    """Send an officer who proved the password but not the second factor to the code step."""
    from loket.workspace.views import start_code_step

    return start_code_step(request, user, next_url=request.get_full_path())


def current_officer(request: HttpRequest) -> Officer:
    """The officer `officer_required` found for this request."""
    officer = getattr(request, "officer", None)
    if not isinstance(officer, Officer):
        raise RuntimeError("current_officer() needs a view wrapped in @officer_required")
    return officer
