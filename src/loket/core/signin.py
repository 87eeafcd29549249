"""Sign-in forms: a username longer than any account's is a wrong sign-in.

Django's AuthenticationForm limits the username only in the page's HTML (`maxlength`);
the server took any length to authentication, where django-axes writes the name of a
failed attempt into a 255-character column: PostgreSQL refused a longer one, and the
sign-in page answered 500. No account has a longer name, so the answer is the form's
own "wrong username or password", given before anything is looked up or recorded.
"""

from __future__ import annotations

from typing import Any

# django.contrib.auth's User.username; applicants' e-mail addresses are their usernames.
USERNAME_MAX_LENGTH = 150


def refuse_overlong_username(form: Any, username: object) -> None:
    """Raise the sign-in form's wrong-sign-in error for a name no account can have."""
    if isinstance(username, str) and len(username) > USERNAME_MAX_LENGTH:
        raise form.get_invalid_login_error()


class BoundedUsername:
    """Mixed into an AuthenticationForm (before it): see the module."""

    def clean(self) -> Any:
        refuse_overlong_username(self, self.cleaned_data.get("username"))  # type: ignore[attr-defined]
        return super().clean()  # type: ignore[misc]
