"""Signed, expiring links that prove an applicant owns the e-mail address they gave."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing

from loket.core.errors import ValidationError

# How long a verification link stays valid; after that the applicant asks for a new one.
VERIFICATION_MAX_AGE = dt.timedelta(days=3)
_SALT = "loket.accounts.email-verification"


class ExpiredLink(ValidationError):
    """The link was genuine but is older than VERIFICATION_MAX_AGE."""


class InvalidLink(ValidationError):
    """The link was altered, truncated or made for an account that changed its address."""


def make_verification_token(user: AbstractBaseUser) -> str:
    """A URL-safe token naming the account and the address it was sent to."""
    return signing.TimestampSigner(salt=_SALT).sign_object(
        {"uid": user.pk, "email": getattr(user, "email", "")}
    )


def user_for_verification_token(token: str) -> AbstractBaseUser:
    """The account a token was made for; raises ExpiredLink or InvalidLink."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        payload = signer.unsign_object(token, max_age=VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ExpiredLink("verification link expired", code="link_expired") from error
    except signing.BadSignature as error:
        raise InvalidLink("verification link is not valid", code="link_invalid") from error
    user_model = get_user_model()
    try:
        user = user_model.objects.get(pk=payload.get("uid"))
    except (user_model.DoesNotExist, ValueError, TypeError) as error:
        raise InvalidLink("account not found", code="link_invalid") from error
    # A link sent to an old address must not verify a new one.
    if getattr(user, "email", "").lower() != str(payload.get("email", "")).lower():
        raise InvalidLink("address changed", code="link_invalid")
    return user
