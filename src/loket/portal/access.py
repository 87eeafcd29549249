"""Who may see a case on the portal, and the brake on guessing access codes.

An applicant sees a case if they submitted it while signed in, or if this
browser session proved its access code (on the track form, or by submitting
it). Every case view goes through `case_for_request`.

Wrong tracking-number/access-code pairs are counted in the cache per client
address and per tracking number (the same client address django-axes uses
for sign-in); past the limit the track form refuses to check codes for a
while, so a code (31^8 possibilities) cannot be found by trying.
"""

from __future__ import annotations

import hashlib

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from loket.cases import selectors as case_selectors
from loket.cases.models import Case

PROVEN = "portal.proven"
MAX_PROVEN = 50

# Failures allowed per client address and window, and per tracking number (from any address).
FAILURES_PER_CLIENT = getattr(settings, "LOKET_TRACK_FAILURES_PER_CLIENT", 10)
FAILURES_PER_NUMBER = getattr(settings, "LOKET_TRACK_FAILURES_PER_NUMBER", 30)
WINDOW_SECONDS = int(getattr(settings, "LOKET_TRACK_WINDOW_SECONDS", 15 * 60))


def case_for_request(request: HttpRequest, tracking_number: str) -> Case | None:
    """The case if this visitor may see it, else None (also when it does not exist)."""
    case = case_selectors.case_by_tracking_number(tracking_number)
    if case is None:
        return None
    user = request.user
    if user.is_authenticated and case.applicant_user_id == user.pk:
        return case
    if case.tracking_number in request.session.get(PROVEN, []):
        return case
    return None


def prove(request: HttpRequest, case: Case) -> None:
    """Remember in the session that this visitor knows the case's access code."""
    proven = [n for n in request.session.get(PROVEN, []) if n != case.tracking_number]
    proven.append(case.tracking_number)
    request.session[PROVEN] = proven[-MAX_PROVEN:]


def _keys(request: HttpRequest, tracking_number: str) -> tuple[str, str]:
    client = get_client_ip_address(request) or "unknown"
    number = hashlib.sha256(tracking_number.upper().encode()).hexdigest()[:32]
    return f"portal.track.client.{client}", f"portal.track.number.{number}"


def is_throttled(request: HttpRequest, tracking_number: str) -> bool:
    client_key, number_key = _keys(request, tracking_number)
    counts = cache.get_many([client_key, number_key])
    return (
        counts.get(client_key, 0) >= FAILURES_PER_CLIENT
        or counts.get(number_key, 0) >= FAILURES_PER_NUMBER
    )


def record_failure(request: HttpRequest, tracking_number: str) -> None:
    for key in _keys(request, tracking_number):
        # add() starts the window only on the first failure; incr() keeps its expiry.
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


def window_minutes() -> int:
    return max(1, WINDOW_SECONDS // 60)
