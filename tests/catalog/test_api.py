"""The public service catalogue API."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.catalog.models import Service
from loket.catalog.services import publish_file, publish_text
from loket.org.models import Agency

from .conftest import SERVICES_DIR, demo_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(kota_contoh: Agency) -> None:
    for path in sorted(SERVICES_DIR.glob("*.yaml")):
        publish_file(path)


def test_list_shows_published_services_with_version_deadline_and_fee(
    client: Client, published: None
) -> None:
    publish_text(demo_text("izin-usaha-mikro").replace("working_days: 5", "working_days: 4"))
    response = client.get("/api/v1/services")
    assert response.status_code == 200
    by_code = {s["code"]: s for s in response.json()}
    assert set(by_code) == {"izin-usaha-mikro", "izin-reklame", "surat-keterangan-domisili"}
    ium = by_code["izin-usaha-mikro"]
    assert ium["version"] == 2
    assert ium["deadline"] == {"working_days": 4, "working_hours": None}
    assert ium["name"] == {
        "id": "Fasilitasi Pendaftaran NIB Usaha Mikro",
        "en": "NIB Registration Facilitation for Micro Businesses",
    }
    assert ium["agency"]["code"] == "kota-contoh"
    assert ium["unit"]["code"] == "dpmptsp"
    assert ium["fee"]["amount"] == 0 and ium["fee"]["is_computed"] is False
    # The permit is free; pajak reklame is billed by its payment step.
    assert by_code["izin-reklame"]["fee"]["amount"] == 0


def test_inactive_services_are_not_listed(client: Client, published: None) -> None:
    Service.objects.filter(code="izin-reklame").update(is_active=False)
    codes = {s["code"] for s in client.get("/api/v1/services").json()}
    assert "izin-reklame" not in codes
    assert client.get("/api/v1/services/izin-reklame").status_code == 404


def test_detail_is_the_full_service_standard(client: Client, published: None) -> None:
    response = client.get("/api/v1/services/izin-reklame")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1 and body["published_at"]
    assert body["legal_basis"][0].startswith("Undang-Undang Nomor 25 Tahun 2009")
    assert [d["name"] for d in body["requirements"]["documents"]][:2] == ["ktp", "npwp"]
    fields = {f["name"]: f for f in body["requirements"]["data"]}
    assert fields["durasi_bulan"]["max"] == 12
    procedure = {step["id"]: step for step in body["procedure"]}
    assert [s["order"] for s in body["procedure"]] == list(range(1, len(body["procedure"]) + 1))
    assert procedure["kajian-pajak"]["position"]["code"] == "analis-pajak-daerah"
    assert procedure["kajian-pajak"]["position"]["title"]["id"] == "Analis Pajak Daerah"
    assert procedure["kajian-pajak"]["deadline"] == {"working_days": 2, "working_hours": None}
    assert procedure["pemeriksaan-otomatis"]["position"] is None
    assert procedure["selesai"]["outcome"] == "approved"
    assert body["time"] == {"working_days": 7, "working_hours": None}
    assert body["fee"]["amount"] == 0 and body["fee"]["is_computed"] is False
    assert procedure["pembayaran-pajak"]["kind"] == "payment"
    assert procedure["pembayaran-pajak"]["payment_kind"] == "pajak"
    assert procedure["pembayaran-pajak"]["deadline"] == {"working_days": 20, "working_hours": None}
    assert body["product"]["number_pattern"] == "{klasifikasi}/{seq}/REK/DPMPTSP/{year}"
    assert set(body["standard"]) == {
        "complaint_channel",
        "facilities",
        "officer_competence",
        "internal_supervision",
        "number_of_officers",
        "service_guarantee",
        "security_guarantee",
        "performance_evaluation",
    }


def test_unknown_service_is_a_404_problem(client: Client, db: None) -> None:
    response = client.get("/api/v1/services/tidak-ada")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "tidak-ada" in response.json()["detail"]


def test_openapi_describes_the_service_standard(client: Client, db: None) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    standard = schema["components"]["schemas"]["ServiceStandard"]
    assert {"procedure", "requirements", "standard", "fee", "time"} <= set(standard["properties"])


def test_detail_gives_the_data_groups_and_each_fields_page(client: Client, published: None) -> None:
    requirements = client.get("/api/v1/services/izin-reklame").json()["requirements"]
    assert [g["name"] for g in requirements["groups"]] == [
        "penyelenggara",
        "reklame",
        "lokasi",
        "ukuran",
    ]
    assert requirements["groups"][0]["title"]["id"] == "Penyelenggara reklame"
    assert requirements["groups"][1]["hint"] is None
    groups = {f["name"]: f["group"] for f in requirements["data"]}
    assert groups["npwp"] == "penyelenggara" and groups["durasi_bulan"] == "ukuran"
