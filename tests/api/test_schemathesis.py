"""Property-based API test: schemathesis generates requests from the OpenAPI document.

For every operation it checks that no request yields a server error and that
every response conforms to the documented schema (status, content type, body).
Officer routes are called with a demo officer's bearer token.
Runs in-process against the WSGI application with a bounded number of examples:
the examples, coverage and fuzzing phases per operation, then the stateful phase,
which chains calls through the links schemathesis infers from the document
(a task from the queue is claimed, decided, its case read; an application's
tracking number and access code are used to follow and cancel it).
LOKET_SCHEMATHESIS_EXAMPLES and LOKET_SCHEMATHESIS_SCENARIOS raise the counts.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from loket.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
OFFICER_TOKEN = "schemathesis-officer-token"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officer_token(db) -> str:
    """Demo data with open applications, plus a bearer token for a front-office officer
    (made directly: no OTP dance)."""
    import datetime as dt
    import hashlib

    from django.utils import timezone

    from loket.accounts.models import ApiToken
    from loket.demo.agency import load_demo
    from loket.org.models import Officer

    load_demo()
    _open_applications(2)  # so the officer's queue has tasks for the stateful phase
    token = OFFICER_TOKEN
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


def _open_applications(count: int) -> None:
    from loket.cases import services
    from loket.cases.intake import Applicant
    from tests.cases.conftest import NIK, iu_data, iu_documents

    for _ in range(count):
        services.submit(
            service_code="izin-usaha-mikro",
            applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
            data=iu_data(),
            documents=iu_documents(),
        )


# The officer's token is configured on the schema, so schemathesis knows it is the
# explicit, valid credential (and probes officer routes without it, expecting 401).
stateful_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
stateful_schema.config.update(headers={"Authorization": f"Bearer {OFFICER_TOKEN}"})


@pytest.mark.django_db(transaction=True)
def test_api_call_sequences_give_no_server_error(officer_token):
    class Scenarios(stateful_schema.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=[positive_data_acceptance],
                transport_kwargs=kwargs or None,
            )

    Scenarios.run(
        settings=settings(
            max_examples=int(os.environ.get("LOKET_SCHEMATHESIS_SCENARIOS", "8")),
            stateful_step_count=5,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
