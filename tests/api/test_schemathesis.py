"""Property-based API test: schemathesis generates requests from the OpenAPI document.

For every operation it checks that no request yields a server error and that
every response conforms to the documented schema (status, content type, body).
Officer routes are called with a demo officer's bearer token.
Runs in-process against the WSGI application with a bounded number of examples.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from loket.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officer_token(db) -> str:
    """Demo data plus a bearer token for a front-office officer (made directly: no OTP dance)."""
    import datetime as dt
    import hashlib

    from django.utils import timezone

    from loket.accounts.models import ApiToken
    from loket.core.demo import load_demo
    from loket.org.models import Officer

    load_demo()
    token = "schemathesis-officer-token"
    ApiToken.objects.create(
        user=Officer.objects.get(user__username="andi").user,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        prefix=token[:8],
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    return token


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("LOKET_SCHEMATHESIS_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case, officer_token):
    # Not checked: that every schema-valid request is accepted. An application's
    # data is valid only for its service's definition, which a static schema
    # cannot express; such requests get a 4xx problem naming the field.
    officer_route = case.path.startswith(("/api/v1/tasks", "/api/v1/cases"))
    # Negative examples may leave the token out on purpose (then 401 is right).
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    headers = {"Authorization": f"Bearer {officer_token}"} if officer_route and not negative else {}
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
