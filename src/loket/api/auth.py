"""Officers' bearer tokens for the API.

POST /api/v1/auth/token exchanges a username and password (and a TOTP code if
the officer has a confirmed authenticator) for an opaque random token. Only its
SHA-256 is stored; the token itself is shown once. `OfficerBearer` checks it on
officer routes and puts the `Officer` on `request.auth`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import Field

from loket.accounts.models import ApiToken
from loket.api.responses import problems
from loket.core.errors import AuthorityError, LoketError
from loket.org.models import Officer

TOKEN_LIFETIME = dt.timedelta(hours=int(getattr(settings, "LOKET_API_TOKEN_HOURS", 12)))


class NotSignedIn(LoketError):
    status = 401
    title = "Not signed in"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _verify_otp(user: Any, otp: str) -> bool:
    """True when the officer has no confirmed authenticator or the code matches one."""
    from django_otp import devices_for_user, match_token

    if not any(True for _device in devices_for_user(user, confirmed=True)):
        return True
    return bool(otp) and match_token(user, otp.strip()) is not None


def issue_token(
    request: HttpRequest | None, *, username: str, password: str, otp: str = ""
) -> tuple[str, ApiToken, Officer]:
    """Check an officer's credentials and return (token, stored token, officer)."""
    try:
        user = authenticate(request, username=username, password=password)
    except PermissionDenied:  # django-axes: too many failed attempts
        user = None
    if user is None or not user.is_active:
        raise NotSignedIn(
            _("The username or password is wrong, or the account is locked for a while."),
            code="bad_credentials",
        )
    officer = Officer.objects.filter(user=user, is_active=True).first()
    if officer is None:
        raise AuthorityError(
            _("This account is not an active officer; API tokens are for officers."),
            code="not_an_officer",
        )
    if not _verify_otp(user, otp):
        raise NotSignedIn(
            _("Enter the current code from your authenticator app in the field otp."),
            field="otp",
            code="otp_required",
        )
    token = secrets.token_urlsafe(32)
    stored = ApiToken.objects.create(
        user=user,
        token_hash=_digest(token),
        prefix=token[:8],
        expires_at=timezone.now() + TOKEN_LIFETIME,
    )
    return token, stored, officer


def officer_for_token(token: str) -> Officer | None:
    stored = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_digest(token or ""), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if stored is None or stored.expires_at <= now or not stored.user.is_active:
        return None
    officer = (
        Officer.objects.select_related("user").filter(user=stored.user, is_active=True).first()
    )
    if officer is None:
        return None
    # Record use at most once a minute: a busy queue should not write on every read.
    if stored.last_used_at is None or now - stored.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=stored.pk).update(last_used_at=now)
    return officer


class OfficerBearer(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Officer | None:
        return officer_for_token(token)


officer_auth = OfficerBearer()

router = Router(tags=["officers"])


class TokenRequest(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    otp: str = Field(default="", max_length=12, description="TOTP code, if the officer has one")


class OfficerOut(Schema):
    name: str
    nip: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: dt.datetime
    officer: OfficerOut


@router.post(
    "/token",
    response={200: TokenOut},
    summary="Get a bearer token for an officer",
    openapi_extra=problems(400, 401, 403, 422, 429),
)
def create_token(request: HttpRequest, body: TokenRequest) -> TokenOut:
    token, stored, officer = issue_token(
        request, username=body.username, password=body.password, otp=body.otp
    )
    return TokenOut(
        token=token,
        expires_at=stored.expires_at,
        officer=OfficerOut(name=officer.name, nip=officer.nip),
    )
