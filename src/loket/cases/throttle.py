"""The brake on guessing access codes, shared by the portal's track form and the API.

Wrong tracking-number/access-code pairs are counted in the cache per client
address and per tracking number (the client address django-axes uses for
sign-in); past the limit no code is checked for a while, so a code (31^8
possibilities) cannot be found by trying.
"""

from __future__ import annotations

import hashlib
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from loket.cases.models import Case
from loket.cases.selectors import case_for_applicant
from loket.core.errors import NotFound, RateLimited

# Failures allowed within the window:
# - one client address guessing one tracking number;
FAILURES_PER_CLIENT_NUMBER = getattr(settings, "LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER", 10)
# - one client address across all numbers (scanning). High, because many mobile users
#   share one address behind carrier-grade NAT and must not lock each other out;
FAILURES_PER_CLIENT = getattr(settings, "LOKET_TRACK_FAILURES_PER_CLIENT", 100)
# - one tracking number from any address (a distributed guess).
FAILURES_PER_NUMBER = getattr(settings, "LOKET_TRACK_FAILURES_PER_NUMBER", 50)
WINDOW_SECONDS = int(getattr(settings, "LOKET_TRACK_WINDOW_SECONDS", 15 * 60))


def _limits(request: HttpRequest, tracking_number: str) -> dict[str, int]:
    client = get_client_ip_address(request) or "unknown"
    number = hashlib.sha256(tracking_number.upper().encode()).hexdigest()[:32]
    return {
        f"track.client-number.{client}.{number}": FAILURES_PER_CLIENT_NUMBER,
        f"track.client.{client}": FAILURES_PER_CLIENT,
        f"track.number.{number}": FAILURES_PER_NUMBER,
    }


def is_throttled(request: HttpRequest, tracking_number: str) -> bool:
    limits = _limits(request, tracking_number)
    counts = cache.get_many(list(limits))
    return any(counts.get(key, 0) >= limit for key, limit in limits.items())


def record_failure(request: HttpRequest, tracking_number: str) -> None:
    for key in _limits(request, tracking_number):
        # add() starts the window only on the first failure; incr() keeps its expiry.
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


def window_minutes() -> int:
    return max(1, WINDOW_SECONDS // 60)


def case_with_access_code(
    request: HttpRequest, tracking_number: str, access_code: str, *, user: Any = None
) -> Case:
    """The case its access code (or its signed-in owner) opens, counting wrong codes.

    Raises RateLimited past the limits, NotFound for any wrong pair: an unknown number
    and a wrong code look the same, so a stranger learns nothing about which exist.
    """
    if is_throttled(request, tracking_number):
        raise RateLimited(
            _(
                "Too many wrong attempts. Try again in %(minutes)s minutes, or sign in to see "
                "the applications you submitted with your account."
            )
            % {"minutes": window_minutes()},
            field="access_code",
        )
    case = case_for_applicant(tracking_number, access_code=access_code, user=user)
    if case is None:
        record_failure(request, tracking_number)
        raise NotFound(
            _(
                "No application matches this tracking number and access code. Check both on "
                "your receipt (the code has 8 letters and digits)."
            ),
            field="access_code",
        )
    return case
