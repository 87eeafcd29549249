"""Operations on applicant accounts: register, verify the e-mail address, resend the link.

Applicants sign in with their e-mail address; the Django username is that address
lower-cased, so two spellings of one address are one account. The full name is
kept in `first_name` (Indonesian names do not split into first and last).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from loket.accounts.selectors import is_officer
from loket.accounts.tokens import InvalidLink, make_verification_token, user_for_verification_token
from loket.core import ratelimit

security_log = logging.getLogger("loket.security")


@dataclass(frozen=True)
class Registration:
    """What happened to a registration; the page says the same in every case."""

    user: AbstractUser
    created: bool


def normalize_email(email: str) -> str:
    """The sign-in name for an address: trimmed and lower-cased."""
    return email.strip().lower()


def _absolute(path: str) -> str:
    # Links in mail use the configured public address, never the request's Host header.
    return f"{settings.PUBLIC_BASE_URL}{path}"


def may_mail(email: str) -> bool:
    """Count one account mail (verification, notice, password reset) to the address;
    False past LOKET_ACCOUNT_MAILS_PER_EMAIL in the window: a stranger must not be able
    to flood someone's inbox with our official mail. The page looks the same either way."""
    if ratelimit.allow(
        "mail.account",
        normalize_email(email),
        limit=settings.LOKET_ACCOUNT_MAILS_PER_EMAIL,
        window_seconds=settings.LOKET_ACCOUNT_MAIL_WINDOW_SECONDS,
    ):
        return True
    security_log.warning("account_mail.limited")
    return False


def may_request_mail(client_address: str) -> bool:
    """Count one page request that sends account mail from this client address."""
    return ratelimit.allow(
        "mail.address",
        client_address,
        limit=settings.LOKET_ACCOUNT_MAILS_PER_ADDRESS,
        window_seconds=settings.LOKET_ACCOUNT_MAIL_WINDOW_SECONDS,
    )


def _send(template: str, user: AbstractUser, context: dict[str, object]) -> None:
    if not may_mail(user.email):
        return
    context = {"user": user, "name": user.get_full_name() or user.email, **context}
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
    body = render_to_string(f"accounts/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])


def send_verification(user: AbstractUser) -> None:
    """Mail the applicant a link that activates the account (in the active language)."""
    token = make_verification_token(user)
    link = _absolute(reverse("accounts:verify", kwargs={"token": token}))
    _send("verify", user, {"link": link})


def register_applicant(*, name: str, email: str, password: str) -> Registration:
    """Create an inactive applicant account and mail its verification link.

    If the address already has an account, nothing changes: an unverified one
    gets a fresh link, a verified one a note that someone tried to register
    (with the sign-in and reset links), so the page cannot be used to find out
    who has an account.
    """
    user_model = get_user_model()
    username = normalize_email(email)
    try:
        with transaction.atomic():
            user = user_model(username=username, email=username, first_name=name.strip())
            user.set_password(password)
            user.is_active = False
            user.save()
        created = True
    except IntegrityError:
        user = user_model.objects.get(username=username)
        created = False
    if created or (not user.is_active and user.last_login is None):
        send_verification(user)
    elif user.is_active and not is_officer(user):
        _send(
            "already_registered",
            user,
            {
                "login_link": _absolute(reverse("accounts:login")),
                "reset_link": _absolute(reverse("accounts:password_reset")),
            },
        )
    return Registration(user=user, created=created)


def resend_verification(*, email: str) -> None:
    """Mail a new link if the address belongs to an applicant who has not verified yet."""
    user = get_user_model().objects.filter(username=normalize_email(email)).first()
    if user and not user.is_active and user.last_login is None and not is_officer(user):
        send_verification(user)


@transaction.atomic
def verify_email(*, token: str) -> AbstractUser:
    """Activate the account a verification token names; repeating it changes nothing.

    Raises `ExpiredLink` or `InvalidLink`. An account that has signed in before and
    was then deactivated (by an administrator) is not re-activated by an old link.
    """
    user = user_for_verification_token(token)
    assert isinstance(user, AbstractUser)
    if not user.is_active:
        if user.last_login is not None:
            raise InvalidLink("account was deactivated", code="link_invalid")
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user
