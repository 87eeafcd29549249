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

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from loket.accounts.selectors import is_officer

LAST_SEEN = "loket.last_seen"
STARTED = "loket.started"
ROLE = "loket.idle_role"  # [user id, "officer" | "applicant"]: asked once per sign-in
# Activity is written to the session at most this often, not on every request.
TOUCH_SECONDS = 60


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
        last_seen = float(session.get(LAST_SEEN, now))
        started = float(session.get(STARTED, now))
        if now - last_seen > _idle_seconds(request) or now - started > settings.SESSION_COOKIE_AGE:
            logout(request)  # flushes the session: sign-in, drafts and proven codes
            return
        session.setdefault(STARTED, now)
        is_poll = request.headers.get("X-Loket-Poll") == "1"
        if not is_poll and (LAST_SEEN not in session or now - last_seen >= TOUCH_SECONDS):
            session[LAST_SEEN] = now


def _idle_seconds(request: HttpRequest) -> float:
    user = request.user
    role = "applicant"
    if user.is_authenticated:
        remembered = request.session.get(ROLE)
        if remembered and remembered[0] == user.pk:
            role = remembered[1]
        else:
            role = "officer" if is_officer(user) or user.is_staff else "applicant"
            request.session[ROLE] = [user.pk, role]
    minutes = (
        settings.LOKET_OFFICER_IDLE_MINUTES
        if role == "officer"
        else settings.LOKET_APPLICANT_IDLE_MINUTES
    )
    return float(minutes) * 60
