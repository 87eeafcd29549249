"""Applicant sign-up, e-mail verification, sign-in and password reset pages."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from loket.accounts import services
from loket.accounts.forms import ApplicantLoginForm, EmailForm, RegistrationForm
from loket.accounts.tokens import ExpiredLink, InvalidLink
from loket.core.ratelimit import client_address


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and not services.may_request_mail(client_address(request)):
        return _too_many(request, "accounts/register.html", form)
    if request.method == "POST" and form.is_valid():
        services.register_applicant(
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        request.session["accounts_registered_email"] = services.normalize_email(
            form.cleaned_data["email"]
        )
        return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    email = request.session.get("accounts_registered_email", "")
    return render(request, "accounts/register_done.html", {"email": email})


def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.verify_email(token=token)
    except ExpiredLink:
        messages.error(request, _("This confirmation link has expired. Ask for a new one below."))
        return redirect("accounts:resend")
    except InvalidLink:
        messages.error(request, _("This confirmation link is not valid. Ask for a new one below."))
        return redirect("accounts:resend")
    messages.success(request, _("Your e-mail address is confirmed. You can sign in now."))
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def resend(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and not services.may_request_mail(client_address(request)):
        return _too_many(request, "accounts/resend.html", form)
    if request.method == "POST" and form.is_valid():
        services.resend_verification(email=form.cleaned_data["email"])
        messages.success(
            request,
            _(
                "If that address has an account waiting for confirmation, "
                "we have sent it a new link."
            ),
        )
        return redirect("accounts:login")
    return render(request, "accounts/resend.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Applicant sign-in. Officers are told to use the workspace sign-in instead."""

    template_name = "accounts/login.html"
    authentication_form = ApplicantLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("portal:home")


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as in Django 5); the session is flushed."""

    def get_default_redirect_url(self) -> str:
        return reverse("portal:home")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        if not services.may_request_mail(client_address(self.request)):
            return _too_many(self.request, self.template_name, form)
        if not services.may_mail(form.cleaned_data["email"]):
            # Same page as when the mail goes: nobody learns about the limit or the account.
            return redirect(self.success_url)
        # Links in mail use the configured public address, never the request's Host header.
        self.extra_email_context = {"base_url": settings.PUBLIC_BASE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _too_many(request: HttpRequest, template: str, form: Any) -> HttpResponse:
    form.is_valid()  # so the form can take a non-field error
    form.add_error(
        None,
        _("Too many requests from your connection in the last hour. Try again later."),
    )
    return render(request, template, {"form": form}, status=429)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The lockout page in the visitor's language (the API answers with a problem+json
    instead: loket.api.views.locked_out, the AXES_LOCKOUT_CALLABLE, sends pages here)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    account_locked_until = getattr(request, "loket_locked_until", None)
    if account_locked_until is not None:  # the account's own lock (accounts/lockout.py)
        remaining = (account_locked_until - timezone.now()).total_seconds()
        minutes = max(1, math.ceil(remaining / 60))
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
