"""/robots.txt, read by an RFC 9309 parser (Protego, Scrapy's): public pages may be
indexed, nothing that belongs to one applicant, officer or document may."""

from __future__ import annotations

import pytest
from django.test import Client
from protego import Protego

pytestmark = pytest.mark.django_db

CRAWLER = "Googlebot"


@pytest.fixture
def robots(client: Client) -> Protego:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "max-age=86400" in response["Cache-Control"]
    return Protego.parse(response.content.decode())


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/layanan/izin-usaha-mikro/",
        "/pengaduan/",
        "/pengaduan/12/",
        "/kinerja/kota-contoh/",
        "/ikm/kota-contoh/dpmptsp/",
        "/data/",
        "/verify/",  # the form where a code printed on a document is typed
    ],
)
def test_public_pages_may_be_indexed(robots: Protego, path: str) -> None:
    assert robots.can_fetch(f"https://loket.example.go.id{path}", CRAWLER)


@pytest.mark.parametrize(
    "path",
    [
        "/lacak/IUM-2026-000001/",
        "/permohonan/IUM-2026-000001/tanda-terima/",
        "/permohonan-saya/",
        "/layanan/izin-usaha-mikro/ajukan/",
        "/layanan/izin-usaha-mikro/ajukan/periksa/",
        "/survei/abc123/",
        "/verify/K7QX-2P9M/",
        "/workspace/",
        "/admin/",
        "/accounts/login/",
        "/api/v1/applications/IUM-2026-000001",
        "/api/3/action/package_list",
    ],
)
def test_what_belongs_to_one_person_or_document_may_not(robots: Protego, path: str) -> None:
    assert not robots.can_fetch(f"https://loket.example.go.id{path}", CRAWLER)


def test_robots_refuses_a_post(client: Client) -> None:
    assert client.post("/robots.txt").status_code == 405
