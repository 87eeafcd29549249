"""Open datasets generated from live data: contents, small-cell suppression, no personal data."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from loket.cases import services as cases
from loket.cases.models import Case
from loket.insights import services as insights
from loket.opendata import services
from loket.opendata.models import Dataset, Resource
from tests.insights.conftest import decide

pytestmark = pytest.mark.django_db


def rows_of(slug_suffix: str) -> list[dict[str, str]]:
    resource = Resource.objects.get(dataset__slug__endswith=slug_suffix, format="CSV")
    return list(csv.DictReader(io.StringIO(bytes(resource.content).decode())))


def test_no_personal_data_in_any_resource_of_any_dataset(seeded: dict[str, Any]) -> None:
    services.publish_all()
    resources = list(Resource.objects.all())
    assert {r.dataset.kind for r in resources} >= {
        "katalog-layanan", "statistik-permohonan", "penanganan-pengaduan",
        "indeks-kepuasan-masyarakat", "checkpoint-buku-besar",
    }  # fmt: skip
    for resource in resources:
        text = bytes(resource.content).decode().lower()
        for secret in seeded["secrets"]:
            assert secret.lower() not in text, (resource.filename, secret)
            # A phone or NIK written differently (e.g. +62...) is still the same number.
            if secret.isdigit():
                assert secret[-9:] not in text, (resource.filename, secret)


def test_small_counts_are_published_as_below_threshold(seeded: dict[str, Any]) -> None:
    insights.refresh_recent()  # the worker's rollup, which the statistics read
    services.publish_all()
    (row,) = rows_of("statistik-permohonan")
    assert row["kode_layanan"] == "izin-usaha-mikro"
    assert row["diajukan"] == "<5"
    assert row["median_hari_kerja_dari_pengajuan"] == ""
    (complaints,) = rows_of("penanganan-pengaduan")
    assert complaints["diterima"] == "<5"


def test_counts_and_statistics_appear_once_the_cell_is_large_enough(
    seeded: dict[str, Any], settings: Any
) -> None:
    settings.LOKET_OPENDATA_MIN_CELL = 2
    now = timezone.now()
    for case in Case.objects.all():
        for step, who in (("verifikasi-berkas", "andi"), ("kajian-teknis", "siti"),
                          ("persetujuan", "dewi")):  # fmt: skip
            decide(case, step, who, "approve", now)
        cases.issue(case_id=case.pk, now=now)  # the worker's part
    insights.refresh_recent()
    services.publish_all()
    (row,) = rows_of("statistik-permohonan")
    assert row["diajukan"] == "2"
    assert row["disetujui"] == "2"
    assert row["dikembalikan"] == "0"  # none returned: a zero is no small cell
    assert row["persen_tepat_waktu"] == "100.0"
    assert float(row["median_hari_kerja_dari_pengajuan"]) >= 0


def test_statistics_are_the_dashboards_figures(seeded: dict[str, Any], settings: Any) -> None:
    """Issue 16: the same definitions as the performance pages, read from their rollup."""
    from loket.insights.models import MonthlyRollup

    settings.LOKET_OPENDATA_MIN_CELL = 1
    insights.refresh_recent()
    rollup = MonthlyRollup.objects.filter(service__isnull=False, submitted__gt=0).get()
    MonthlyRollup.objects.filter(pk=rollup.pk).update(
        approved=7, rejected=3, first_time_right=6, sla_on_time=8, sla_total=10,
        median_days=2.5, p90_days=4.0, median_days_from_submission=3.0,
        p90_days_from_submission=5.0,
    )  # fmt: skip
    services.publish_all()
    (row,) = rows_of("statistik-permohonan")
    assert (row["disetujui"], row["ditolak"], row["diputus"], row["dikembalikan"]) == (
        "7", "3", "10", "4",
    )  # fmt: skip
    assert row["persen_tepat_waktu"] == "80.0"
    assert (row["median_hari_kerja_dari_lengkap"], row["p90_hari_kerja_dari_lengkap"]) == (
        "2.5", "4.0",
    )  # fmt: skip
    assert row["bulan"] == f"{rollup.month:%Y-%m}"


def test_catalogue_lists_every_service_version_with_the_fourteen_components(demo: Any) -> None:
    services.publish_all()
    rows = rows_of("katalog-layanan")
    assert {r["kode_layanan"] for r in rows} >= {"izin-usaha-mikro", "surat-keterangan-domisili"}
    components = [c for c in rows[0] if c not in {"kode_layanan", "versi", "nama_layanan",
                                                   "unit", "berlaku_sejak"}]  # fmt: skip
    assert len(components) == 14
    iu = next(r for r in rows if r["kode_layanan"] == "izin-usaha-mikro")
    assert "Undang-Undang Nomor 25 Tahun 2009" in iu["dasar_hukum"]
    assert iu["jangka_waktu_hari_kerja"] == "5"


def test_json_resource_carries_the_indicator_metadata(demo: Any) -> None:
    services.publish_all()
    resource = Resource.objects.get(dataset__kind="penanganan-pengaduan", format="JSON")
    document = json.loads(bytes(resource.content))
    assert set(document["indicator"]) >= {"konsep", "definisi", "rumus", "satuan", "periodisitas"}
    assert document["columns"][0] == "kode_unit"


def test_republishing_replaces_resources_instead_of_adding(demo: Any) -> None:
    services.publish_all()
    first = Resource.objects.count()
    services.publish_all()
    assert Resource.objects.count() == first
    assert Dataset.objects.count() * 2 == first


def test_publish_command_reports_every_dataset(demo: Any) -> None:
    out = io.StringIO()
    call_command("opendata", "publish", stdout=out)
    assert f"{Dataset.objects.count()} dataset diterbitkan." in out.getvalue()
    assert "katalog-layanan" in out.getvalue()


def test_download_serves_the_published_csv(demo: Any, client: Client) -> None:
    services.publish_all()
    slug = Dataset.objects.get(kind="katalog-layanan").slug
    response = client.get(f"/data/{slug}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert client.get(f"/data/{slug}.xml").status_code == 404
    assert client.get("/data/tidak-ada.csv").status_code == 404


def test_the_worker_regenerates_every_dataset_on_its_schedule(demo: Any) -> None:
    from loket.core.management.commands.worker import default_schedule
    from loket.opendata.tasks import publish_datasets

    assert "loket.opendata.tasks:publish_datasets" in [p.task_path for p in default_schedule()]
    assert publish_datasets.call() == {"datasets": 5}
    assert Resource.objects.count() == 10
