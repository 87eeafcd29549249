from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from loket.workspace.decorators import current_officer, officer_required
from tests.accounts.factories import make_applicant, make_officer

pytestmark = pytest.mark.django_db


@officer_required
def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(current_officer(request).nip)


def _request(user, device=None) -> HttpRequest:
    request = RequestFactory().get("/workspace/somewhere/")
    request.session = SessionStore()
    request.user = user
    # What OTPMiddleware does: a user is verified when a device is bound to the session.
    user.otp_device = device
    user.is_verified = lambda: device is not None
    return request


def test_verified_officer_reaches_the_view_with_their_officer_record() -> None:
    account = make_officer("andi")
    response = _view(_request(account.user, account.device))
    assert response.content.decode() == account.officer.nip


def test_verified_non_officer_gets_403() -> None:
    user = make_applicant("sari@example.id")
    response = _view(_request(user, device=object()))
    assert response.status_code == 403


def test_anonymous_visitor_is_sent_to_the_workspace_sign_in() -> None:
    request = RequestFactory().get("/workspace/somewhere/")
    request.user = AnonymousUser()
    response = _view(request)
    assert response["Location"] == "/workspace/login/?next=/workspace/somewhere/"


def test_current_officer_outside_the_decorator_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError):
        current_officer(RequestFactory().get("/"))
