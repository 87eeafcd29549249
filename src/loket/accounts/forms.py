"""Forms for applicant registration and sign-in (labels in English source, shown in Indonesian)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from loket.accounts.selectors import is_officer
from loket.accounts.services import normalize_email
from loket.core.errors import ValidationError as LoketValidationError
from loket.core.names import require_plain_name
from loket.core.signin import USERNAME_MAX_LENGTH, refuse_overlong_username


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("As written on your identity card (KTP)."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        # The address is the account's name, which holds 150 characters.
        max_length=USERNAME_MAX_LENGTH,
        help_text=_("We send a link to this address to confirm it is yours."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters; not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        # The name goes into the mail we send: plain names only, never a link.
        try:
            require_plain_name(name, field="name")
        except LoketValidationError as refused:
            raise forms.ValidationError(refused.message, code="not_plain") from None
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            email = normalize_email(data.get("email", ""))
            # Validate against the would-be account, so a password like the address is refused.
            candidate = get_user_model()(
                username=email, email=email, first_name=data.get("name", "")
            )
            try:
                validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ApplicantLoginForm(AuthenticationForm):
    """Sign in with e-mail address and password; officer accounts are sent to the workspace.

    The field stays named `username` so django-axes counts failures per address.
    """

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or password is wrong."),
        "not_verified": _(
            "Your e-mail address is not confirmed yet. Open the link we sent you, "
            "or ask for a new one below."
        ),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.needs_verification = False

    def clean(self) -> dict[str, Any]:
        refuse_overlong_username(self, self.cleaned_data.get("username"))
        username = normalize_email(self.cleaned_data.get("username") or "")
        password = self.cleaned_data.get("password")
        if username and password:
            self.cleaned_data["username"] = username
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                if self._is_unverified(username, password):
                    self.needs_verification = True
                    raise forms.ValidationError(
                        self.error_messages["not_verified"], code="not_verified"
                    )
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def _is_unverified(self, username: str, password: str) -> bool:
        # Never while locked out: the answer would tell whether the password was right.
        if self.request is not None and getattr(self.request, "axes_locked_out", False):
            return False
        user = get_user_model().objects.filter(username=username, is_active=False).first()
        return bool(user and user.last_login is None and user.check_password(password))

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if is_officer(user):
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Officer accounts sign in through the officer workspace."),
                    reverse("workspace:login"),
                    _("Go to the workspace sign-in"),
                ),
                code="officer_account",
            )


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
