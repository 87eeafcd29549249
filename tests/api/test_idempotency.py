"""Idempotency keys belong to the client that sent them, not to the NIK in the body."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.test import Client

from loket.accounts import machine_accounts
from loket.cases.models import Case
from tests.cases.conftest import NIK, fast_passwords, iu_documents, post_application

__all__ = ["fast_passwords"]

pytestmark = pytest.mark.django_db

OTHER_NIK = "3273055504900011"


def _key(name: str, *scopes: str) -> dict[str, str]:
    key, _account = machine_accounts.create(
        name=name, scopes=list(scopes), created_by="test", agency_code="kota-contoh"
    )
    return {"Authorization": f"Bearer {key}"}


def test_the_same_key_with_another_nik_is_refused_not_a_second_case(
    demo: Any, client: Client
) -> None:
    headers = {"Idempotency-Key": "order-42"}
    assert post_application(client, headers=headers).status_code == 201
    response = post_application(client, headers=headers, nik=OTHER_NIK)
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"
    assert Case.objects.count() == 1


def test_a_replay_says_so_in_a_header(demo: Any, client: Client) -> None:
    headers = {"Idempotency-Key": "order-43"}
    first = post_application(client, headers=headers)
    assert "Idempotent-Replayed" not in first
    replay = post_application(client, headers=headers)
    assert replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["tracking_number"] == first.json()["tracking_number"]


def test_two_integrations_may_use_the_same_key_independently(demo: Any, client: Client) -> None:
    first = _key("bank-a", "applications:submit")
    second = _key("bank-b", "applications:submit")
    key = {"Idempotency-Key": "1"}
    one = post_application(client, headers={**first, **key})
    other = post_application(client, headers={**second, **key}, nik=OTHER_NIK)
    assert (one.status_code, other.status_code) == (201, 201)
    assert one.json()["tracking_number"] != other.json()["tracking_number"]
    # The anonymous callers' key space is a third one.
    assert post_application(client, headers=key, nik=NIK).status_code == 201
    assert Case.objects.count() == 3


def test_an_integration_key_without_the_submit_scope_is_refused(demo: Any, client: Client) -> None:
    response = post_application(client, headers=_key("reader", "cases:read"))
    assert response.status_code == 403
    assert response.json()["field"] == "Authorization"
    assert not Case.objects.exists()


def test_an_unknown_integration_key_is_401(demo: Any, client: Client) -> None:
    response = post_application(client, headers={"Authorization": "Bearer lkm_nonsense"})
    assert response.status_code == 401
    assert response.json()["field"] == "Authorization"


@pytest.mark.parametrize("key", ["k" * 201, "caf\u00e9", "tab\there"])
def test_a_bad_key_is_a_422_naming_the_header(demo: Any, client: Client, key: str) -> None:
    response = post_application(client, headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_replay_over_real_http(demo: Any, live_server: Any) -> None:
    import json

    from tests.cases.conftest import iu_data

    def send() -> requests.Response:
        files = {f"documents.{n}": (f.name, f.read(), f.content_type) for n, f in
                 iu_documents().items()}  # fmt: skip
        return requests.post(
            f"{live_server.url}/api/v1/applications",
            data={
                "service": "izin-usaha-mikro",
                "applicant_name": "Sri Wahyuni",
                "nik": NIK,
                "email": "sri@example.id",
                "data": json.dumps(iu_data()),
            },
            files=files,
            headers={"Idempotency-Key": "http-1"},
            timeout=60,
        )

    first, replay = send(), send()
    assert first.status_code == 201, first.text
    assert replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["access_code"] == first.json()["access_code"]
