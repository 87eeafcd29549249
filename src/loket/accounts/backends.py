"""Authentication backends: sign-in rate limiting in front of Django's model backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


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
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[arg-type]
