"""One problem+json shape on /api/v1, in the request's language, with resolvable types."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

import loket.urls  # every app's errors are imported with it
from loket.api.problem_types import PROBLEM_TYPES
from tests.cases.conftest import fast_passwords, post_application, token_for

__all__ = ["fast_passwords", "token_for"]

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
ID = {"Accept-Language": "id"}


def _shape(response: Any, status: int, code: str, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["type"].endswith(f"/api/problems/{code}")
    assert body["field"] == field
    assert field in [p["name"] for p in body["invalid_params"]]
    assert field in [e["field"] for e in body["errors"]]
    return body


def test_malformed_json_to_the_token_endpoint_is_a_400_in_the_requests_language(
    client: Client,
) -> None:
    english = client.post(
        "/api/v1/auth/token", "{not json", content_type="application/json", headers=EN
    )
    assert _shape(english, 400, "malformed_json", "body")["title"] == "Malformed request"
    indonesian = client.post(
        "/api/v1/auth/token", "{not json", content_type="application/json", headers=ID
    )
    body = _shape(indonesian, 400, "malformed_json", "body")
    assert body["title"] == "Permintaan tidak dapat dibaca"
    assert body["detail"] == "Isi permintaan bukan JSON yang sah."


def test_malformed_json_to_a_decision_is_a_400_naming_the_body(
    demo: Any, client: Client, token_for: Callable[[str], dict[str, str]]
) -> None:
    response = client.post(
        "/api/v1/tasks/1/decision",
        '{"decision": ',
        content_type="application/json",
        headers={**token_for("andi"), **EN},
    )
    _shape(response, 400, "malformed_json", "body")


def test_a_body_that_is_not_json_is_415(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/token", "username=a&password=b", content_type="text/plain", headers=EN
    )
    _shape(response, 415, "unsupported_media_type", "Content-Type")


def test_a_submission_that_is_not_multipart_is_415(demo: Any, client: Client) -> None:
    response = client.post(
        "/api/v1/applications", json.dumps({"service": "x"}), content_type="application/json"
    )
    _shape(response, 415, "unsupported_media_type", "Content-Type")


def test_validation_errors_name_fields_as_the_request_does_in_its_language(
    client: Client,
) -> None:
    response = client.post(
        "/api/v1/auth/token", json.dumps({"username": 5}), content_type="application/json",
        headers=ID,
    )  # fmt: skip
    body = _shape(response, 422, "validation_error", "username")
    reasons = {p["name"]: p["reason"] for p in body["invalid_params"]}
    assert reasons == {"username": "Isikan teks di sini.", "password": "Kolom ini wajib diisi."}
    assert body["title"] == "Masukan tidak valid"


def test_submission_errors_name_the_request_field_not_the_engines(
    demo: Any, client: Client
) -> None:
    response = post_application(client, nik="123", headers=EN)
    _shape(response, 422, "nik_format", "nik")


def test_a_wrong_password_lockout_is_problem_json(demo: Any, client: Client) -> None:
    for _attempt in range(6):
        response = client.post(
            "/api/v1/auth/token",
            json.dumps({"username": "andi", "password": "wrong", "otp": "000000"}),
            content_type="application/json",
            headers=EN,
        )
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/api/problems/locked_out")


def test_a_claimed_task_409_names_the_position_and_not_the_person(
    demo: Any, client: Client, token_for: Callable[[str], dict[str, str]]
) -> None:
    number = post_application(client).json()["tracking_number"]
    andi = token_for("andi")
    [task] = [
        t for t in client.get("/api/v1/tasks", headers=andi).json()
        if t["tracking_number"] == number
    ]  # fmt: skip
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=andi).status_code == 200
    refused = client.post(f"/api/v1/tasks/{task['id']}/claim", headers={**token_for("rina"), **EN})
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert task["position_title"] in detail and "Andi" not in detail


def test_every_problem_code_in_the_source_has_a_docs_page(client: Client) -> None:
    from loket.core.errors import LoketError

    def subclasses(cls: type) -> list[type]:
        return [cls, *[s for sub in cls.__subclasses__() for s in subclasses(sub)]]

    classes = {
        re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower() for cls in subclasses(LoketError)
    }
    explicit = set()
    root = Path(loket.__file__).parent
    for path in root.rglob("*.py"):
        if "migrations" not in path.parts:
            explicit |= set(re.findall(r'\bcode="([a-z_0-9]+)"', path.read_text("utf-8")))
    missing = sorted((classes | explicit) - set(PROBLEM_TYPES))
    assert not missing, f"add these to loket/api/problem_types.py: {missing}"
    for code in sorted(classes | explicit):
        assert client.get(f"/api/problems/{code}").status_code == 200


def test_the_type_of_an_error_resolves_to_its_page(client: Client) -> None:
    body = client.post(
        "/api/v1/auth/token", "{", content_type="application/json", headers=EN
    ).json()
    page = client.get(urlsplit(body["type"]).path)
    assert page.status_code == 200
    assert "malformed_json" in page.content.decode()
    assert client.get("/api/problems/no_such_problem").status_code == 404


def test_problem_pages_speak_the_readers_language_for_every_code(client: Client) -> None:
    from django.utils import translation

    english = client.get("/api/problems/task_claimed", headers=EN).content.decode()
    assert 'lang="en"' in english and "Another officer has claimed the task" in english
    indonesian = client.get(
        "/api/problems/task_claimed", headers={"Accept-Language": "id"}
    ).content.decode()
    assert 'lang="id"' in indonesian and "Petugas lain sudah mengambil tugas ini" in indonesian
    assert "Jenis masalah" in indonesian and "Every error" not in indonesian
    with translation.override("id"):
        untranslated = [
            code for code, text in PROBLEM_TYPES.items() if translation.gettext(text) == text
        ]
    assert not untranslated, f"add Indonesian for these problem types: {untranslated}"
