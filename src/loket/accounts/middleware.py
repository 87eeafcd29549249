"""Sessions end after a time without activity and after an absolute lifetime.

Officers' sessions (workspace, admin) end after LOKET_OFFICER_IDLE_MINUTES without a
request, applicants' (portal sign-in, and the access codes a browser proved) after
LOKET_APPLICANT_IDLE_MINUTES; any session ends SESSION_COOKIE_AGE after it began, however
busy. Automatic refreshes (htmx polling, marked with the `X-Loket-Poll` header) are
not activity: a page left open must not keep a session alive for ever.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from loket.accounts.selectors import is_officer

LAST_SEEN = "loket.last_seen"
STARTED = "loket.started"
# Activity is written to the session at most this often, not on every request.
TOUCH_SECONDS = 60


def start_session_clock(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On sign-in (`user_logged_in`): the absolute lifetime and idle time start now.

    Written with the sign-in's own session save, so later requests cost no write."""
    now = time.time()
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            self._expire_or_touch(request, now=time.time())
        return self.get_response(request)

    def _expire_or_touch(self, request: HttpRequest, *, now: float) -> None:
        session = request.session
        if LAST_SEEN not in session or STARTED not in session:
            # An anonymous session that just began (drafts, proven access codes).
            session.setdefault(LAST_SEEN, now)
            session.setdefault(STARTED, now)
            return
        idle = now - float(session[LAST_SEEN])
        if now - float(session[STARTED]) > settings.SESSION_COOKIE_AGE or (
            idle > _shortest_idle_seconds() and idle > _idle_seconds(request)
        ):
            logout(request)  # flushes the session: sign-in, drafts and proven codes
            return
        if idle >= TOUCH_SECONDS and request.headers.get("X-Loket-Poll") != "1":
            session[LAST_SEEN] = now


def _shortest_idle_seconds() -> float:
    return 60.0 * min(settings.LOKET_OFFICER_IDLE_MINUTES, settings.LOKET_APPLICANT_IDLE_MINUTES)


def _idle_seconds(request: HttpRequest) -> float:
    # Asked only once a session has been idle for the shorter of the two timeouts.
    user = request.user
    is_staff_side = user.is_authenticated and (is_officer(user) or user.is_staff)
    minutes = (
        settings.LOKET_OFFICER_IDLE_MINUTES
        if is_staff_side
        else settings.LOKET_APPLICANT_IDLE_MINUTES
    )
    return float(minutes) * 60
