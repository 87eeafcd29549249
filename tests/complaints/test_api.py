"""Complaint resources of /api/v1: problem+json errors naming the field, no personal data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.complaints.conftest import file

pytestmark = pytest.mark.django_db

JURISDICTION = "kotacontoh.go.id"


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "jurisdiction_id": JURISDICTION,
        "category": "pelayanan-perizinan",
        "description": "Izin saya terlambat tiga minggu.",
        "attributes": {"jenis_masalah": "terlambat"},
        "name": "Sri Wahyuni",
        "email": "sri@example.id",
        **overrides,
    }


def test_filing_through_the_api_gives_a_receipt(demo: Any) -> None:
    response = Client().post("/api/v1/complaints", _body(), content_type="application/json")
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["tracking_number"].startswith("ADU-")
    assert len(receipt["access_code"]) == 8
    assert receipt["verify_due_at"].endswith("+07:00")


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"description": "<img src=x>"}, 422, "description"),
        ({"description": "x" * 4001}, 422, "description"),
        ({"category": "tidak-ada"}, 404, "service_code"),
        ({"jurisdiction_id": "lain.go.id"}, 404, "jurisdiction_id"),
        ({"latitude": -6.9}, 422, "long"),
        ({"attributes": {}}, 422, "attribute[jenis_masalah]"),
        ({"subject": "unit", "unit_code": "tidak-ada"}, 422, "unit_code"),
    ],
)
def test_bad_input_is_problem_json_naming_the_field(
    demo: Any, overrides: dict[str, Any], status: int, field: str
) -> None:
    response = Client().post(
        "/api/v1/complaints", _body(**overrides), content_type="application/json"
    )
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem.get("field") == field or field in problem["detail"]


def test_public_resources_hide_confidential_complaints_and_personal_data(demo: Any) -> None:
    public = file(name="Sri Wahyuni", email="sri@example.id").complaint
    secret = file(is_confidential=True).complaint
    client = Client()
    listing = client.get("/api/v1/complaints", {"jurisdiction_id": JURISDICTION})
    assert [c["tracking_number"] for c in listing.json()] == [public.tracking_number]
    assert "Sri" not in listing.content.decode()
    detail = client.get(f"/api/v1/complaints/{public.tracking_number}")
    assert detail.status_code == 200 and detail.json()["events"][0]["kind"] == "received"
    assert client.get(f"/api/v1/complaints/{secret.tracking_number}").status_code == 404
    categories = client.get("/api/v1/complaints/categories", {"jurisdiction_id": JURISDICTION})
    assert categories.json()[0]["code"] == "pelayanan-perizinan"


def test_complaints_naming_one_email_are_limited_like_applications(demo: Any, settings) -> None:
    from loket.complaints.models import Complaint

    settings.LOKET_SUBMISSIONS_PER_EMAIL = 2
    client = Client()
    for _ in range(2):
        assert (
            client.post("/api/v1/complaints", _body(), content_type="application/json").status_code
            == 201
        )
    refused = client.post("/api/v1/complaints", _body(), content_type="application/json")
    assert refused.status_code == 429
    assert refused.json()["field"] == "applicant.email"
    assert Complaint.objects.count() == 2
