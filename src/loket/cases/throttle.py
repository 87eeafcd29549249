"""The brake on guessing access codes, shared by the portal's track form and the API.

It slows and reports the guesser without ever locking out the owner:

- Wrong codes are counted per client address and tracking number, and per client
  address across all numbers (scanning). Past a limit that address (only) is
  refused without any check for a while; each further lock-out of the same address
  within a day lasts twice as long (exponential back-off).
- Wrong codes for one tracking number from any address are counted too, but never
  block that number: that would let anyone lock an applicant out of their own case
  with 50 requests. Past the limit a warning is logged (an alert for the operators,
  `loket.security`, event `access_code.guessing_storm`) and every address gets far
  fewer tries at that number while the storm lasts.

With 31^8 possible codes, even a storm from many addresses finds nothing in time.

The counters live in the cache; a lock-out itself is a row of `AccessLockout`, so the
tracking read learns it in the statement that reads the case (no query of its own on
the right code) and every process refuses a locked-out address at once.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpRequest
from django.utils.translation import gettext as _

from loket.cases import selectors
from loket.cases.models import AccessLockout, Case
from loket.cases.reads import TrackedRow
from loket.catalog.fields.builtin import normalize_phone
from loket.core import ratelimit
from loket.core.errors import NotFound, RateLimited

security_log = logging.getLogger("loket.security")

# How long one address stays locked out at most, however often it comes back.
MAX_BLOCK_SECONDS = 24 * 60 * 60


def _window() -> int:
    return int(settings.LOKET_TRACK_WINDOW_SECONDS)


def _address_scopes(client: str, number: str, *, storm: bool) -> list[tuple[str, str, int]]:
    per_number = (
        settings.LOKET_TRACK_STORM_FAILURES_PER_CLIENT_NUMBER
        if storm
        else settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER
    )
    return [
        ("track.client-number", f"{client}|{number}", int(per_number)),
        # High, because many mobile users share one address behind carrier-grade NAT.
        ("track.client", client, int(settings.LOKET_TRACK_FAILURES_PER_CLIENT)),
    ]


def _lockout_keys(request: HttpRequest, number: str) -> list[str]:
    client = ratelimit.client_address(request)
    return [
        ratelimit.key(f"{scope}.blocked", value)
        for scope, value, _limit in _address_scopes(client, number, storm=False)
    ]


def _locked_until(keys: list[str]) -> float:
    found = AccessLockout.objects.filter(key__in=keys).aggregate(until=Max("until"))["until"]
    return float(found or 0.0)


def _lock_out(name: str, seconds: float) -> None:
    now = time.time()
    # Lock-outs are rare: the expired ones go when a new one comes, so the table stays tiny.
    AccessLockout.objects.filter(until__lte=now).delete()
    AccessLockout.objects.update_or_create(key=name, defaults={"until": now + seconds})


def _is_storm(number: str) -> bool:
    return ratelimit.is_over("track.number", number, int(settings.LOKET_TRACK_FAILURES_PER_NUMBER))


def _count_storm(number: str) -> None:
    failures = ratelimit.hit("track.number", number, window_seconds=_window())
    if failures < int(settings.LOKET_TRACK_FAILURES_PER_NUMBER):
        return
    # One alert per number and window, not one per guess.
    if cache.add(ratelimit.key("track.number.alerted", number), 1, _window()):
        security_log.warning(
            "access_code.guessing_storm number_hash=%s failures=%d window_seconds=%d",
            ratelimit.key("track.number", number).rsplit(".", 1)[-1][:12],
            failures,
            _window(),
        )


def record_failure(request: HttpRequest, tracking_number: str) -> None:
    number = tracking_number.upper()
    client = ratelimit.client_address(request)
    _count_storm(number)
    for scope, value, limit in _address_scopes(client, number, storm=_is_storm(number)):
        if ratelimit.hit(scope, value, window_seconds=_window()) < limit:
            continue
        strikes = ratelimit.hit(f"{scope}.strikes", value, window_seconds=MAX_BLOCK_SECONDS)
        seconds = min(_window() * 2 ** (strikes - 1), MAX_BLOCK_SECONDS)
        _lock_out(ratelimit.key(f"{scope}.blocked", value), seconds)
        cache.delete(ratelimit.key(scope, value))
        security_log.warning(
            "access_code.address_braked scope=%s strikes=%d seconds=%d", scope, strikes, seconds
        )


def require_not_braked(request: HttpRequest, tracking_number: str, message: str) -> None:
    """Raise RateLimited (`message` with %(minutes)s) while this client address is locked
    out of guessing codes for this number; the complaints' follow page uses it too."""
    _refuse_while_locked(_locked_until(_lockout_keys(request, tracking_number.upper())), message)


def _refuse_while_locked(locked_until: float, message: str) -> None:
    now = time.time()
    if locked_until > now:
        minutes = max(1, math.ceil((locked_until - now) / 60))
        raise RateLimited(message % {"minutes": minutes}, field="access_code")


def case_with_access_code(
    request: HttpRequest, tracking_number: str, access_code: str, *, user: Any = None
) -> Case:
    """The case its access code (or its signed-in owner) opens, counting wrong codes.

    Raises RateLimited while the client address is locked out (the right code is not
    even checked then), NotFound for any wrong pair: an unknown number and a wrong code
    look the same, so a stranger learns nothing about which exist.
    """
    return _row(request, tracking_number, access_code, user=user, whole=True).case()


def row_with_access_code(
    request: HttpRequest, tracking_number: str, access_code: str, *, user: Any = None
) -> TrackedRow:
    """`case_with_access_code` with only the columns the applicant's tracking GET shows,
    not made into instances; the same checks, counts and errors."""
    return _row(request, tracking_number, access_code, user=user, whole=False)


def _row(
    request: HttpRequest, tracking_number: str, access_code: str, *, user: Any, whole: bool
) -> TrackedRow:
    keys = _lockout_keys(request, tracking_number.upper())
    tracked, locked_until = selectors.tracked_and_lockout(
        tracking_number, lockout_keys=keys, whole=whole
    )
    if tracked is None:
        locked_until = _locked_until(keys)  # no row came back to carry it
    _refuse_while_locked(
        locked_until or 0.0,
        _(
            "Too many wrong attempts. Try again in %(minutes)s minutes, or sign in to see "
            "the applications you submitted with your account."
        ),
    )
    if tracked is None or not selectors.applicant_may_open_row(
        tracked, access_code=access_code, user=user
    ):
        record_failure(request, tracking_number)
        raise NotFound(
            _(
                "No application matches this tracking number and access code. Check both on "
                "your receipt (the code has 8 letters and digits)."
            ),
            field="access_code",
        )
    return tracked


def reserve_submission(request: HttpRequest, *, email: str, phone: str) -> None:
    """Count an anonymous or signed-in submission per client address, e-mail and phone.

    Every submission mails and texts the contacts it names, so without a limit anyone
    could flood a stranger's inbox and phone (SMS pumping). Raises RateLimited naming
    the field over its limit; nothing is counted then.
    """
    window = int(settings.LOKET_SUBMISSION_WINDOW_SECONDS)
    checks = [
        ("submit.address", ratelimit.client_address(request), None, "PER_ADDRESS"),
        ("submit.email", email, "applicant.email", "PER_EMAIL"),
        # +62 812…, 62812… and 0812… are one phone.
        ("submit.phone", normalize_phone(phone), "applicant.phone", "PER_PHONE"),
    ]
    checks = [check for check in checks if check[1]]
    for scope, value, field, suffix in checks:
        if ratelimit.is_over(scope, value, int(getattr(settings, f"LOKET_SUBMISSIONS_{suffix}"))):
            security_log.warning("submission.limited scope=%s", scope)
            raise RateLimited(
                _(
                    "Too many applications were sent from here or to this contact in the "
                    "last hour. Try again later."
                ),
                field=field,
            )
    for scope, value, _field, _suffix in checks:
        ratelimit.hit(scope, value, window_seconds=window)
