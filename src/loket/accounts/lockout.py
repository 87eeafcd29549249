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
from django.db.models import F
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
def record_failure(*, username: str) -> bool:
    """Count a failed sign-in for the account (if there is one); True if now locked."""
    user_id = _user_id(username)
    if user_id is None:
        return False  # no account to protect; django-axes still brakes the address
    now = timezone.now()
    window = dt.timedelta(minutes=settings.LOKET_ACCOUNT_FAILURE_WINDOW_MINUTES)
    lockout, _created = AccountLockout.objects.select_for_update().get_or_create(user_id=user_id)
    if lockout.window_started_at <= now - window and not lockout.is_locked:
        lockout.failures, lockout.window_started_at = 0, now
    lockout.failures = F("failures") + 1
    lockout.last_failure_at = now
    lockout.save(update_fields=["failures", "window_started_at", "last_failure_at"])
    lockout.refresh_from_db(fields=["failures"])
    if lockout.failures < settings.LOKET_ACCOUNT_FAILURE_LIMIT or lockout.is_locked:
        return lockout.is_locked
    lockout.locked_until = now + dt.timedelta(minutes=settings.LOKET_ACCOUNT_LOCK_MINUTES)
    lockout.save(update_fields=["locked_until"])
    security_log.warning(
        "account.locked user_id=%s failures=%d until=%s",
        user_id,
        lockout.failures,
        lockout.locked_until.isoformat(),
    )
    return True


def clear(*, user_id: int) -> None:
    """A successful sign-in (or an administrator) clears the count and any lock."""
    AccountLockout.objects.filter(user_id=user_id).delete()
