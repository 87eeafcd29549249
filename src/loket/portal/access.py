"""Who may see a case on the portal, and the brake on guessing access codes.

An applicant sees a case if they submitted it while signed in, or if this
browser session proved its access code (on the track form, or by submitting
it): the rule is `loket.cases.policy.applicant_may_view`. Every case view goes
through `case_for_request`.

Checking an access code (and braking guesses) is `loket.cases.throttle`, shared with the API.
"""

from __future__ import annotations

from django.http import HttpRequest

from loket.cases import policy
from loket.cases import selectors as case_selectors
from loket.cases.models import Case

PROVEN = "portal.proven"
MAX_PROVEN = 50


def case_for_request(request: HttpRequest, tracking_number: str) -> Case | None:
    """The case if this visitor may see it, else None (also when it does not exist)."""
    case = case_selectors.case_by_tracking_number(tracking_number)
    if case is None:
        return None
    proven = request.session.get(PROVEN, [])
    return case if policy.applicant_may_view(case, user=request.user, proven=proven) else None


def prove(request: HttpRequest, case: Case) -> None:
    """Remember in the session that this visitor knows the case's access code."""
    proven = [n for n in request.session.get(PROVEN, []) if n != case.tracking_number]
    proven.append(case.tracking_number)
    request.session[PROVEN] = proven[-MAX_PROVEN:]
