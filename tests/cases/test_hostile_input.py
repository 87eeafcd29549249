"""Hostile input at the edges: each is a 4xx naming the field, never a 500 (both databases).

NUL bytes cannot be stored by PostgreSQL, a lone surrogate cannot be encoded
(to encrypt the NIK or hash a reason), and JSON nested 100,000 deep exhausts
Python's recursion; none of it may reach a view's queries or the services.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from loket.cases.models import Case, Task, TaskStatus
from tests.cases.conftest import NIK, iu_data, iu_documents, post_application

pytestmark = pytest.mark.django_db

NUL = "\x00"


def _post_raw_data(client: Client, raw: str) -> Any:
    """Submit with `raw` as the text of the multipart field `data`."""
    body: dict[str, Any] = {
        "service": "izin-usaha-mikro",
        "applicant_name": "Sri Wahyuni",
        "nik": NIK,
        "email": "sri@example.id",
        "data": raw,
    }
    body.update({f"documents.{name}": f for name, f in iu_documents().items()})
    return client.post("/api/v1/applications", body)


def _refused(response: Any, field: str) -> dict[str, Any] | str:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    if response["Content-Type"].startswith("application/problem+json"):
        body = response.json()
        assert body["field"] == field, body
        assert field in body["detail"]
        return body
    text = response.content.decode()
    assert field in text, text
    return text


def test_data_nested_a_hundred_thousand_deep_is_refused_naming_data(demo, client: Client):
    response = _post_raw_data(client, "[" * 100_000)

    body = _refused(response, "data")
    assert body["type"].endswith("/too_deeply_nested")
    assert not Case.objects.exists()


def test_lone_surrogate_in_data_is_refused_naming_the_data_field(demo, client: Client):
    response = _post_raw_data(client, '{"nama_usaha": "Warung \\ud800"}')

    body = _refused(response, "data.nama_usaha")
    assert body["type"].endswith("/unsafe_characters")
    assert not Case.objects.exists()


def test_nul_in_a_multipart_field_is_refused_naming_it(demo, client: Client):
    response = post_application(client, applicant_name=f"Sri{NUL}Wahyuni")

    _refused(response, "applicant_name")
    assert not Case.objects.exists()


def test_nul_in_the_token_username_is_refused_naming_it(demo, client: Client):
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": f"andi{NUL}", "password": "x"}),
        content_type="application/json",
    )

    _refused(response, "username")


def test_json_body_nested_too_deeply_is_refused_before_parsing(demo, client: Client):
    response = client.post("/api/v1/auth/token", "[" * 100_000, content_type="application/json")

    _refused(response, "body")


def test_nul_in_the_access_code_is_refused_naming_it(demo, client: Client):
    number = post_application(client).json()["tracking_number"]

    response = client.get(f"/api/v1/applications/{number}", {"access_code": f"AB{NUL}CD"})

    _refused(response, "access_code")


def test_nul_in_a_tracking_number_in_the_api_path_is_refused_naming_it(demo, client: Client):
    response = client.get("/api/v1/applications/IUM-2026%00-1", {"access_code": "ABCDEFGH"})

    _refused(response, "tracking_number")


def test_nul_in_the_portal_search_is_refused_naming_q(demo, client: Client):
    response = client.get("/", {"q": f"izin{NUL}"})

    _refused(response, "q")


def test_nul_in_the_portal_tracking_page_path_is_refused(demo, client: Client):
    response = client.get("/lacak/IUM-2026-%00/")

    _refused(response, "tracking_number")


def test_nul_in_a_posted_form_is_refused_naming_the_field(demo, client: Client):
    response = client.post(
        "/lacak/",
        urlencode({"tracking_number": "IUM-2026-000001", "access_code": NUL}),
        content_type="application/x-www-form-urlencoded",
    )

    _refused(response, "access_code")


def test_nul_in_a_decision_reason_is_refused_and_the_task_stays_open(
    demo, client: Client, token_for
):
    number = post_application(client).json()["tracking_number"]
    task = Task.objects.get(case__tracking_number=number, status=TaskStatus.OPEN)

    response = client.post(
        f"/api/v1/tasks/{task.pk}/decision",
        json.dumps({"decision": "reject", "reason": f"Berkas palsu{NUL}"}),
        content_type="application/json",
        headers=token_for("andi"),
    )

    _refused(response, "reason")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_lone_surrogate_in_a_cancel_reason_is_refused_and_the_case_stays_open(demo, client: Client):
    receipt = post_application(client).json()

    response = client.post(
        f"/api/v1/applications/{receipt['tracking_number']}/cancel",
        '{"reason": "salah \\udfff"}',
        content_type="application/json",
        headers={"X-Access-Code": receipt["access_code"]},
    )

    _refused(response, "reason")
    assert Case.objects.get(tracking_number=receipt["tracking_number"]).status != "cancelled"


def test_ordinary_unicode_including_emoji_pairs_is_accepted(demo, client: Client):
    response = _post_raw_data(client, json.dumps(iu_data(nama_usaha="Warung Bu Sri 🍜 Ñ")))

    assert response.status_code == 201, response.content[:300]


def test_nul_in_the_idempotency_key_header_is_refused_naming_it(demo, client: Client):
    response = post_application(client, headers={"Idempotency-Key": f"retry{NUL}1"})

    _refused(response, "Idempotency-Key")
    assert not Case.objects.exists()
