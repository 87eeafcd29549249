"""The officer workspace: two-step sign-in (password, then TOTP) and the landing page.

Until the second step succeeds the officer is not signed in at all: the password
step only records, in the session, who is half-way and since when.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, login
from django.contrib.auth.models import User
from django.contrib.auth.views import LogoutView as DjangoLogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from loket.workspace import otp
from loket.workspace.forms import CodeForm, OfficerPasswordForm

_PENDING = "workspace_pending_sign_in"
# The password step is good for this long; then the officer starts again.
PENDING_SECONDS = 300


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("workspace:home")


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(_PENDING)
    if not pending or time.time() - pending.get("started", 0) > PENDING_SECONDS:
        request.session.pop(_PENDING, None)
        return None
    return User.objects.filter(pk=pending["uid"], is_active=True).first()


def _finish_sign_in(request: HttpRequest, user: User, device: TOTPDevice) -> HttpResponse:
    pending = request.session.pop(_PENDING)
    login(request, user, backend=pending["backend"])
    otp_login(request, device)
    return redirect(_safe_next(request, pending.get("next", "")))


def _restart(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Your sign-in took too long. Please enter your password again."))
    return redirect("workspace:login")


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password (rate limited by django-axes in authenticate())."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = OfficerPasswordForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        # A new session key before the second step, against session fixation.
        request.session.cycle_key()
        return start_code_step(request, user, next_url=next_url)
    return render(request, "workspace/login.html", {"form": form, "next": next_url})


def start_code_step(request: HttpRequest, user: User, *, next_url: str) -> HttpResponse:
    """Remember who is half-way through signing in, then ask for the code (or enrolment)."""
    backend = getattr(user, "backend", "") or request.session.get(BACKEND_SESSION_KEY, "")
    request.session[_PENDING] = {
        "uid": user.pk,
        "backend": backend,
        "started": time.time(),
        "next": next_url,
    }
    if otp.confirmed_devices(user):
        return redirect("workspace:verify")
    return redirect("workspace:enrol")


def _check_code(request: HttpRequest, form: CodeForm, devices: list[TOTPDevice]) -> bool:
    """Whether one of `devices` accepts the code; adds the form error when none does."""
    for device in devices:
        if not device.verify_is_allowed()[0]:
            form.add_error(
                "code",
                _("Too many wrong codes. Wait a little and try again with a new code."),
            )
            return False
        if device.verify_token(form.cleaned_data["code"]):
            request.verified_device = device  # type: ignore[attr-defined]
            return True
    form.add_error("code", _("That code is not right. Enter the code your app shows now."))
    return False


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Step 2 for an enrolled officer: a current TOTP code (throttled by django-otp)."""
    user = _pending_user(request)
    if user is None:
        return _restart(request)
    devices = otp.confirmed_devices(user)
    if not devices:
        return redirect("workspace:enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_code(request, form, devices):
        return _finish_sign_in(request, user, request.verified_device)  # type: ignore[attr-defined]
    return render(
        request,
        "workspace/verify.html",
        {"form": form, "demo_username": user.get_username() if otp.demo_mode() else ""},
    )


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Step 2 on first sign-in: add Loket to an authenticator app, then confirm with a code."""
    user = _pending_user(request)
    if user is None:
        return _restart(request)
    if otp.confirmed_devices(user):
        return redirect("workspace:verify")
    device = otp.pending_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_code(request, form, [device]):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        messages.success(request, _("Your authenticator app is set up."))
        return _finish_sign_in(request, user, device)
    context = {
        "form": form,
        "qr": otp.qr_svg(device, title=_("QR code to add Loket to your authenticator app")),
        "secret": otp.secret_for_display(device),
        "username": user.get_username(),
    }
    return render(request, "workspace/enrol.html", context)


class LogoutView(DjangoLogoutView):
    def get_default_redirect_url(self) -> str:
        return reverse("workspace:login")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response
