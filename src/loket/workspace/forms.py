"""Officer sign-in forms: password first, then a code from the authenticator app."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from loket.accounts.selectors import active_officer


class OfficerPasswordForm(AuthenticationForm):
    """Username and password of an officer account; applicant accounts are refused."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is wrong."),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if active_officer(user) is None:
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("This account is not an active officer account."),
                    reverse("accounts:login"),
                    _("Applicants sign in here."),
                ),
                code="not_officer",
            )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        help_text=_("The code your authenticator app shows now for Loket."),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "class": "otp",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the digits only."), code="not_digits")
        return code
