"""The issued licence in the API: for the applicant, for officers working the case, and
metadata only for those who see the case masked."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from loket.accounts import machine_accounts
from loket.cases.models import PersonalDataRead, ReadChannel
from loket.documents.models import IssuedDocument
from tests.cases.conftest import fast_passwords, post_application, token_for
from tests.helpers import issue_requested_documents

# The case engine's fixtures: the demo agency, officers' bearer tokens.
__all__ = ["fast_passwords", "token_for"]

pytestmark = pytest.mark.django_db

OFFICERS = [("verifikasi-berkas", "andi"), ("kajian-teknis", "siti"), ("persetujuan", "dewi")]


@pytest.fixture
def issued(demo: Any, client: Client, token_for: Callable[[str], dict[str, str]]) -> Any:
    """A micro-business licence driven through the API to its issued document."""
    response = post_application(client)
    assert response.status_code == 201, response.content
    receipt = response.json()
    number = receipt["tracking_number"]
    for step, username in OFFICERS:
        headers = token_for(username)
        queue = client.get("/api/v1/tasks", headers=headers).json()
        [task] = [t for t in queue if t["tracking_number"] == number and t["step"] == step]
        assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers).status_code == 200
        decided = client.post(
            f"/api/v1/tasks/{task['id']}/decision",
            json.dumps({"decision": "approve"}),
            content_type="application/json",
            headers=headers,
        )
        assert decided.status_code == 200, decided.content
    issue_requested_documents()
    return {
        "number": number,
        "code": {"X-Access-Code": receipt["access_code"]},
        "document": IssuedDocument.objects.get(case__tracking_number=number),
    }


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_applicant_finds_the_licence_in_the_application_and_downloads_it(
    issued: Any, client: Client
) -> None:
    number, document = issued["number"], issued["document"]
    application = client.get(f"/api/v1/applications/{number}", headers=issued["code"]).json()
    [entry] = application["issued_documents"]
    assert entry["number"] == document.number
    assert entry["status"] == "in_force"

    listed = client.get(f"/api/v1/applications/{number}/documents", headers=issued["code"])
    assert listed.status_code == 200
    assert listed.json() == [entry]
    pdf = client.get(_path(entry["download_url"]), headers=issued["code"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == entry["sha256"]


def test_verification_url_opens_the_public_page_with_the_holders_code(
    issued: Any, client: Client
) -> None:
    [entry] = client.get(
        f"/api/v1/applications/{issued['number']}/documents", headers=issued["code"]
    ).json()
    assert entry["verification_code"].replace("-", "") == issued["document"].verification_code
    page = client.get(_path(entry["verification_url"]))
    assert page.status_code == 200
    assert issued["document"].number in page.content.decode()


def test_a_wrong_access_code_opens_no_document(issued: Any, client: Client) -> None:
    document = issued["document"]
    for path in ("documents", f"documents/{document.pk}", f"documents/{document.pk}/pdf"):
        response = client.get(
            f"/api/v1/applications/{issued['number']}/{path}",
            headers={"X-Access-Code": "WRONG123"},
        )
        assert response.status_code == 404
        assert response.json()["field"] == "access_code"


def test_an_unknown_document_id_is_a_404_naming_the_field(issued: Any, client: Client) -> None:
    response = client.get(
        f"/api/v1/applications/{issued['number']}/documents/00000000-0000-4000-8000-000000000000",
        headers=issued["code"],
    )
    assert response.status_code == 404
    assert response.json()["field"] == "document_id"


def test_officer_working_the_case_downloads_it_and_the_read_is_audited(
    issued: Any, client: Client, token_for: Callable[[str], dict[str, str]]
) -> None:
    headers = token_for("andi")
    [entry] = client.get(f"/api/v1/cases/{issued['number']}/documents", headers=headers).json()
    assert entry["download_url"].endswith(f"/api/v1/cases/{issued['number']}/documents/"
                                          f"{issued['document'].pk}/pdf")  # fmt: skip
    pdf = client.get(_path(entry["download_url"]), headers=headers)
    assert pdf.status_code == 200
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == entry["sha256"]
    assert PersonalDataRead.objects.filter(
        tracking_number=issued["number"], channel=ReadChannel.DOCUMENT, officer__nip__isnull=False
    ).exists()


def test_officer_outside_the_cases_reach_gets_403(
    issued: Any, client: Client, token_for: Callable[[str], dict[str, str]]
) -> None:
    headers = token_for("rudi")
    response = client.get(f"/api/v1/cases/{issued['number']}/documents", headers=headers)
    assert response.status_code == 403
    pdf = client.get(
        f"/api/v1/cases/{issued['number']}/documents/{issued['document'].pk}/pdf", headers=headers
    )
    assert pdf.status_code == 403


def test_integration_sees_the_metadata_but_not_the_pdf_nor_the_code(
    issued: Any, client: Client
) -> None:
    key, _account = machine_accounts.create(
        name="arsip", scopes=["cases:read"], created_by="test", agency_code="kota-contoh"
    )
    headers = {"Authorization": f"Bearer {key}"}
    [entry] = client.get(f"/api/v1/cases/{issued['number']}/documents", headers=headers).json()
    assert entry["number"] == issued["document"].number
    assert entry["download_url"] is None
    assert entry["verification_code"] is None and entry["verification_url"] is None
    pdf = client.get(
        f"/api/v1/cases/{issued['number']}/documents/{issued['document'].pk}/pdf", headers=headers
    )
    assert pdf.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_applicant_downloads_the_licence_over_real_http(
    demo: Any, client: Client, token_for: Callable[[str], dict[str, str]], live_server: Any
) -> None:
    receipt = post_application(client).json()
    number, code = receipt["tracking_number"], {"X-Access-Code": receipt["access_code"]}
    for step, username in OFFICERS:
        headers = token_for(username)
        [task] = [
            t
            for t in client.get("/api/v1/tasks", headers=headers).json()
            if t["tracking_number"] == number and t["step"] == step
        ]
        client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers)
        client.post(
            f"/api/v1/tasks/{task['id']}/decision",
            json.dumps({"decision": "approve"}),
            content_type="application/json",
            headers=headers,
        )
    issue_requested_documents()
    listed = requests.get(
        f"{live_server.url}/api/v1/applications/{number}/documents", headers=code, timeout=30
    )
    assert listed.status_code == 200, listed.text
    [entry] = listed.json()
    pdf = requests.get(live_server.url + _path(entry["download_url"]), headers=code, timeout=30)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == entry["sha256"]
