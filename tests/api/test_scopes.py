"""Machine-account scopes, operation by operation: each needs its own scope, and no other.

The table is checked against the OpenAPI document, so a new operation that accepts
machine keys without a row here fails this test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from loket.accounts import machine_accounts
from loket.accounts.machine_accounts import SCOPES
from loket.api.api import api
from tests.cases.conftest import fast_passwords, iu_data, iu_documents, post_application

__all__ = ["fast_passwords"]

pytestmark = pytest.mark.django_db

# (method, OpenAPI path, scope it needs)
MACHINE_OPERATIONS = [
    ("GET", "/api/v1/cases/{tracking_number}", "cases:read"),
    ("GET", "/api/v1/cases/{tracking_number}/documents", "cases:read"),
    ("GET", "/api/v1/cases/{tracking_number}/documents/{document_id}/pdf", "cases:read"),
    ("POST", "/api/v1/applications", "applications:submit"),
    ("GET", "/api/v1/webhooks", "webhooks"),
    ("POST", "/api/v1/webhooks", "webhooks"),
    ("DELETE", "/api/v1/webhooks/{subscription_id}", "webhooks"),
    ("POST", "/api/v1/webhooks/{subscription_id}/test", "webhooks"),
    ("GET", "/api/v1/webhooks/{subscription_id}/deliveries", "webhooks"),
    ("POST", "/open311/v2/requests.json", "open311"),
]
# Operations open to anyone, where a key is accepted but not required (no scope check).
OPTIONAL_KEY = {("POST", "/api/v1/applications")}


def _operations() -> list[tuple[str, str, list[str]]]:
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, [next(iter(s)) for s in op.get("security") or []])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]


def test_every_operation_that_takes_a_machine_key_has_a_row() -> None:
    machine = {
        (method, path) for method, path, schemes in _operations() if "MachineBearer" in schemes
    }
    rows = {(method, path) for method, path, _scope in MACHINE_OPERATIONS}
    assert machine <= rows, f"no scope row for {sorted(machine - rows)}"
    assert {scope for *_op, scope in MACHINE_OPERATIONS} == set(SCOPES)


def _call(client: Client, method: str, path: str, key: str, world: dict[str, Any]) -> Any:
    url = path.format(
        tracking_number=world["number"],
        document_id="00000000-0000-4000-8000-000000000000",
        subscription_id=world["hook"],
    )
    headers = {"Authorization": f"Bearer {key}"}
    if path == "/open311/v2/requests.json":
        body = {
            "jurisdiction_id": "kotacontoh.go.id",
            "api_key": key,
            "service_code": "reklame-liar",
            "lat": "-6.917464",
            "long": "107.619125",
            "description": "Baliho miring hampir roboh di depan sekolah.",
            "attribute[kondisi][]": ["rusak"],
            "email": "sri@example.id",
        }
        return client.post(url, body)
    if method == "POST" and path == "/api/v1/applications":
        return post_application(client, data=iu_data(), documents=iu_documents(), headers=headers)
    if method == "POST" and path == "/api/v1/webhooks":
        body = json.dumps({"url": "https://hooks.example.id/x", "event_types": ["ping"]})
        return client.post(url, body, content_type="application/json", headers=headers)
    return client.generic(method, url, headers=headers)


@pytest.fixture
def world(demo: Any, client: Client) -> dict[str, Any]:
    from loket.complaints.categories import load_dir

    load_dir()
    number = post_application(client).json()["tracking_number"]
    key, _account = machine_accounts.create(
        name="hooks-owner", scopes=["webhooks"], created_by="t", agency_code="kota-contoh"
    )
    hook = client.post(
        "/api/v1/webhooks",
        json.dumps({"url": "https://hooks.example.id/h", "event_types": ["ping"]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    ).json()["id"]
    return {"number": number, "hook": hook}


@pytest.mark.parametrize(("method", "path", "scope"), MACHINE_OPERATIONS)
def test_each_operation_needs_its_scope_and_no_other_gives_it(
    client: Client, world: dict[str, Any], method: str, path: str, scope: str
) -> None:
    others = sorted(set(SCOPES) - {scope})
    without, _a = machine_accounts.create(
        name=f"without-{scope}", scopes=others, created_by="t", agency_code="kota-contoh"
    )
    refused = _call(client, method, path, without, world)
    assert refused.status_code == 403, (method, path, refused.content)
    if not path.startswith("/open311/"):
        assert refused.json()["type"].endswith("/scope_missing")

    # The webhook rows act on the subscription of "hooks-owner": with the scope, the
    # key must belong to that account; elsewhere a fresh key with only the scope.
    if scope == "webhooks":
        key, account = machine_accounts.create(
            name="with-webhooks", scopes=[scope], created_by="t", agency_code="kota-contoh"
        )
        if "{subscription_id}" in path:
            from loket.notify.models import WebhookSubscription

            WebhookSubscription.objects.filter(pk=world["hook"]).update(machine_account=account)
    else:
        key, _b = machine_accounts.create(
            name=f"with-{scope}", scopes=[scope], created_by="t", agency_code="kota-contoh"
        )
    allowed = _call(client, method, path, key, world)
    assert allowed.status_code != 401, (method, path, allowed.content)
    if allowed.status_code == 403:
        # past the scope, refused for another reason: the signed PDF carries personal
        # data, so only officers working the case may download it
        assert not allowed.json()["type"].endswith("/scope_missing"), (method, path)
        assert path.endswith("/pdf")


def test_officer_only_operations_refuse_a_key_with_every_scope(
    client: Client, world: dict[str, Any]
) -> None:
    key, _account = machine_accounts.create(
        name="all-scopes", scopes=sorted(SCOPES), created_by="t", agency_code="kota-contoh"
    )
    officer_only = [
        (method, path) for method, path, schemes in _operations() if schemes == ["OfficerBearer"]
    ]
    assert officer_only
    for method, path in officer_only:
        url = path.format(task_id=1, period_id=1)
        response = client.generic(method, url, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 401, (method, path, response.status_code)
