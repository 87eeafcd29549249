"""Account-level sign-in lock-out: failures of one account from any address.

Counting is per account (not per username+address as django-axes does), so 32
guesses spread over 8 addresses lock the account as surely as from one. The
lock ends by itself after LOKET_ACCOUNT_LOCK_MINUTES, or when an administrator
unlocks the account in the admin. A successful sign-in clears the count.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from loket.accounts.models import AccountLockout

security_log = logging.getLogger("loket.security")


def _user_id(username: str) -> int | None:
    user_model = get_user_model()
    return (
        user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username})
        .values_list("pk", flat=True)
        .first()
    )


def locked_until(*, username: str) -> dt.datetime | None:
    """When the account's lock ends, or None if it may sign in now."""
    until = (
        AccountLockout.objects.filter(user__username=username, locked_until__gt=timezone.now())
        .values_list("locked_until", flat=True)
        .first()
    )
    return until


@transaction.atomic
def record_failure(*, username: str) -> dt.datetime | None:
    """Count a failed sign-in for the account (if there is one); when its lock ends if
    it is now locked, else None."""
    user_id = _user_id(username)
    if user_id is None:
        return None  # no account to protect; django-axes still brakes the address
    now = timezone.now()
    window = dt.timedelta(minutes=settings.LOKET_ACCOUNT_FAILURE_WINDOW_MINUTES)
    # The row lock serialises concurrent failures of one account.
    lockout, _created = AccountLockout.objects.select_for_update().get_or_create(user_id=user_id)
    lock_ended = lockout.locked_until is not None and lockout.locked_until <= now
    if lock_ended or lockout.window_started_at <= now - window:
        # A fresh start: an owner's one typo after the lock ended must not lock again.
        lockout.failures, lockout.window_started_at, lockout.locked_until = 0, now, None
    lockout.failures += 1
    lockout.last_failure_at = now
    if lockout.is_locked or lockout.failures < settings.LOKET_ACCOUNT_FAILURE_LIMIT:
        lockout.save()
        return lockout.locked_until
    lockout.locked_until = now + dt.timedelta(minutes=settings.LOKET_ACCOUNT_LOCK_MINUTES)
    lockout.save()
    security_log.warning(
        "account.locked user_id=%s failures=%d until=%s",
        user_id,
        lockout.failures,
        lockout.locked_until.isoformat(),
    )
    return lockout.locked_until


def clear(*, user_id: int) -> None:
    """A successful sign-in (or an administrator) clears the count and any lock."""
    AccountLockout.objects.filter(user_id=user_id).delete()
