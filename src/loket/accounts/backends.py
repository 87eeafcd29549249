"""Authentication backends: sign-in rate limiting in front of Django's model backend."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from loket.accounts import lockout


class RateLimitedBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for every sign-in that comes with a request.

    Both web sign-ins (applicant and workspace) and the admin pass the request,
    so they are limited. A call without a request (Django's test client
    `login()`, a shell) cannot be attributed to a client address; axes would
    raise for it, we let it through to the model backend instead.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        # django-axes' standalone backend never signs anyone in: it only counts and refuses.
        refused: None = super().authenticate(request, username, password, **kwargs)  # type: ignore[arg-type]
        return refused


class AccountLockingBackend(ModelBackend):
    """Django's password check, refused while the account is locked, counting failures
    per account from any address (`loket.accounts.lockout`).

    Every sign-in goes through here: applicant portal, workspace, admin and the API's
    token endpoint. A locked account is refused even with the right password; on the
    web the lock-out page says so (through django-axes' middleware).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        until = lockout.locked_until(username=username)
        if until is not None:
            self._refuse(request, until)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            until = lockout.record_failure(username=username)
            if until is not None:
                self._refuse(request, until)
            return None
        lockout.clear(user_id=user.pk)
        return user

    @staticmethod
    def _refuse(request: HttpRequest | None, until: dt.datetime) -> None:
        if request is not None:
            # django-axes' middleware shows its lock-out page for this flag.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.loket_locked_until = until  # type: ignore[attr-defined]
        raise PermissionDenied("account locked")
