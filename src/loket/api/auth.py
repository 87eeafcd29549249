"""Who calls the API: officers' bearer tokens and integrations' machine keys.

POST /api/v1/auth/token exchanges a username, password and a current TOTP code
for an opaque random token; an officer without a confirmed authenticator gets
none (they set one up at their first workspace sign-in), so the API never skips
the second factor. Only the token's SHA-256 is stored; the token itself is
shown once. `OfficerBearer` checks it on officer routes and puts the `Officer`
on `request.auth`.

Integrations use a machine account's key instead (`loket apikey create`):
`machine_auth` puts the `MachineAccount` on `request.auth`, and a route asks
`require_scope(request, "open311")` before it does anything.
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
from ninja.security import APIKeyQuery, HttpBearer
from pydantic import Field

from loket.accounts.machine_accounts import account_for_key
from loket.accounts.models import ApiToken, MachineAccount
from loket.api.responses import problems
from loket.core.errors import AuthorityError, LoketError
from loket.org.models import Officer

TOKEN_LIFETIME = dt.timedelta(hours=settings.LOKET_API_TOKEN_HOURS)


class NotSignedIn(LoketError):
    status = 401
    title = "Not signed in"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _has_device(user: Any) -> bool:
    from django_otp import devices_for_user

    return any(True for _device in devices_for_user(user, confirmed=True))


def _verify_otp(user: Any, otp: str) -> bool:
    """True when the code matches one of the officer's confirmed authenticators."""
    from django_otp import match_token

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
    if not _has_device(user):
        raise AuthorityError(
            _(
                "Set up an authenticator app first: sign in to the workspace once, then ask "
                "for a token with its code in the field otp."
            ),
            field="otp",
            code="otp_device_required",
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


class MachineBearer(HttpBearer):
    """`Authorization: Bearer lkm_…`: a machine account's key from `loket apikey create`."""

    def authenticate(self, request: HttpRequest, token: str) -> MachineAccount | None:
        return account_for_key(token)


class MachineKeyQuery(APIKeyQuery):
    """`?api_key=lkm_…`, the way Open311 GeoReport v2 clients send their key."""

    param_name = "api_key"

    def authenticate(self, request: HttpRequest, key: str | None) -> MachineAccount | None:
        return account_for_key(key or "")


machine_auth = [MachineBearer(), MachineKeyQuery()]


def require_scope(request: HttpRequest, scope: str) -> MachineAccount:
    """The machine account that made the request, if its key carries `scope`; else 403.

    Use it first thing in a route whose `auth` includes `machine_auth`. Officers'
    tokens carry no scopes (what an officer may do is `loket.cases.policy`), so they
    are refused here too.
    """
    account = getattr(request, "auth", None)
    if not isinstance(account, MachineAccount) or not account.has_scope(scope):
        raise AuthorityError(
            _("This key does not give access to %(scope)s.") % {"scope": scope},
            code="scope_missing",
        )
    return account


router = Router(tags=["officers"])


class TokenRequest(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    otp: str = Field(
        default="", max_length=12, description="current TOTP code from the officer's authenticator"
    )


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
