"""Complaint resources of /api/v1: problem+json errors naming the field, no personal data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.complaints.conftest import file, file_seven_public

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


def _pages(client: Client, params: dict[str, Any]) -> tuple[list[list[str]], list[str]]:
    """Follow the `Link: rel="next"` headers from a first page; the numbers per page."""
    import re

    pages, links = [], []
    response = client.get("/api/v1/complaints", params)
    while True:
        assert response.status_code == 200, response.content
        pages.append([c["tracking_number"] for c in response.json()])
        link = response.headers.get("Link")
        if not link:
            return pages, links
        links.append(link)
        url = re.fullmatch(r'<(http://testserver/api/v1/complaints\?[^>]+)>; rel="next"', link)
        assert url is not None, link
        response = client.get(url[1])


def _cursor_of(link: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(link[1 : link.index(">")]).query)["cursor"][0]


@pytest.fixture
def seven(demo: Any) -> list[str]:
    return file_seven_public()


def test_the_list_pages_by_cursor_in_link_headers(seven: list[str]) -> None:
    pages, links = _pages(Client(), {"jurisdiction_id": JURISDICTION, "limit": 3})
    assert [len(p) for p in pages] == [3, 3, 1]  # the ties on 3 March split, none lost
    assert [n for page in pages for n in page] == seven
    assert all("limit=3" in link and "cursor=" in link for link in links)


def test_a_complaint_filed_while_paging_neither_repeats_nor_skips_a_row(
    seven: list[str],
) -> None:
    client = Client()
    first = client.get("/api/v1/complaints", {"jurisdiction_id": JURISDICTION, "limit": 3})
    file()  # newest of all: would push the rows of an offset page down by one
    cursor = _cursor_of(first.headers["Link"])
    second = client.get(
        "/api/v1/complaints", {"jurisdiction_id": JURISDICTION, "limit": 3, "cursor": cursor}
    )
    assert [c["tracking_number"] for c in second.json()] == seven[3:6]


def test_an_offset_first_page_links_on_by_cursor(seven: list[str]) -> None:
    pages, links = _pages(Client(), {"jurisdiction_id": JURISDICTION, "limit": 2, "offset": 2})
    assert [n for page in pages for n in page] == seven[2:]
    assert links and all("offset" not in link for link in links)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "x" * 601}, "cursor"),
        ({"offset": "2", "cursor": "FOREIGN"}, "offset"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_a_bad_cursor_is_a_422_naming_the_field(
    seven: list[str], params: dict[str, str], field: str
) -> None:
    client = Client()
    if params.get("cursor") == "FOREIGN":
        first = client.get("/api/v1/complaints", {"jurisdiction_id": JURISDICTION, "limit": 3})
        params = {**params, "cursor": _cursor_of(first.headers["Link"])}
    response = client.get("/api/v1/complaints", {"jurisdiction_id": JURISDICTION, **params})
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["field"] == field


def test_a_cursor_of_another_list_is_refused(seven: list[str]) -> None:
    from django.core import signing

    tasks_cursor = signing.dumps({"k": [1], "q": {}, "at": ""}, salt="loket.cursor.tasks")
    response = Client().get(
        "/api/v1/complaints", {"jurisdiction_id": JURISDICTION, "cursor": tasks_cursor}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "cursor"
