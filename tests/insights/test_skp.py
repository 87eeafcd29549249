"""SKP evidence per officer (quantity, quality, time) as CSV and signed PDF, for superiors."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from loket.cases.models import Case
from loket.documents import signing
from loket.insights import services
from tests.cases.conftest import officer
from tests.insights.conftest import at

pytestmark = pytest.mark.django_db


def url(username: str, fmt: str) -> str:
    return f"/workspace/kinerja/pegawai/{officer(username).pk}/bukti.{fmt}"


def evidence(body: bytes) -> dict[str, str]:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    return {row["kode"]: row["nilai"] for row in rows}


def test_head_of_the_office_gets_an_officers_evidence_as_csv(
    july_cases: tuple[Case, Case], signed_in: Any
) -> None:
    response = signed_in("bambang").get(url("andi", "csv"), {"bulan": "2026-07"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "private, no-store"
    figures = evidence(response.content)
    # andi approved the verification of both cases; one was then returned at kajian-teknis.
    assert (figures["tugas_diputus"], figures["disetujui"], figures["dikembalikan"]) == (
        "2", "2", "0",
    )  # fmt: skip
    assert figures["keputusan_dibatalkan"] == "1"
    assert figures["pengaduan_terkait"] == "0"
    assert figures["porsi_plt_plh"] == "0.0"


def test_evidence_counts_returns_and_the_month_only(
    july_cases: tuple[Case, Case], signed_in: Any
) -> None:
    client = signed_in("dewi")
    figures = evidence(client.get(url("siti", "csv"), {"bulan": "2026-07"}).content)
    assert (figures["tugas_diputus"], figures["dikembalikan"], figures["disetujui"]) == (
        "3", "1", "2",
    )  # fmt: skip
    june = evidence(client.get(url("siti", "csv"), {"bulan": "2026-06"}).content)
    assert june["tugas_diputus"] == "0"
    assert june["persen_tepat_waktu"] == ""  # nothing to divide: no invented 0 or 100


def test_signed_pdf_validates_against_the_agency_key(
    july_cases: tuple[Case, Case], signed_in: Any
) -> None:
    response = signed_in("bambang").get(url("andi", "pdf"), {"bulan": "2026-07"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    with signing.agency_signer("kota-contoh", "Pemerintah Kota Contoh") as signer:
        report = signing.validate_pdf_signature(response.content, signer.trust_roots)
    assert report.is_ok, report.problem


@pytest.mark.parametrize(
    ("viewer", "subject"),
    [
        ("siti", "andi"),  # a colleague, not a superior
        ("andi", "andi"),  # one's own evidence goes through the superior
        ("dewi", "dewi"),  # a head is not their own superior
        ("yusuf", "andi"),  # the head of another division
    ],
)
def test_only_superiors_get_the_evidence(
    july_cases: tuple[Case, Case], signed_in: Any, viewer: str, subject: str
) -> None:
    for fmt in ("csv", "pdf"):
        response = signed_in(viewer).get(url(subject, fmt), {"bulan": "2026-07"})
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")


def test_signed_out_visitor_is_sent_to_sign_in(july_cases: tuple[Case, Case], client) -> None:
    assert client.get(url("andi", "csv")).status_code == 302


def test_unknown_format_or_month_is_refused(july_cases: tuple[Case, Case], signed_in: Any) -> None:
    client = signed_in("bambang")
    assert client.get(url("andi", "xlsx")).status_code == 404
    response = client.get(url("andi", "csv"), {"bulan": "juli"})
    assert response.status_code == 400
    assert response.content.decode().startswith("bulan:")


def test_dashboard_lists_people_by_name_with_links_for_the_superior(
    july_cases: tuple[Case, Case], signed_in: Any
) -> None:
    from loket.org.models import Unit

    services.refresh_recent(now=at(31, 20))  # the worker keeps the People rows (ADR 0024)
    unit = Unit.objects.get(code="dpmptsp")
    page = signed_in("bambang").get("/workspace/kinerja/", {"bulan": "2026-07", "unit": unit.pk})
    people = page.context["people"]
    names = [p["name"] for p in people]
    assert names == sorted(names)
    assert {p["name"] for p in people} >= {officer("andi").name, officer("siti").name}
    html = page.content.decode()
    assert url("andi", "csv") in html
    assert (
        f'name="officer" value="{officer("andi").pk}"' in html
    )  # the signed PDF, prepared by the worker
    assert officer("andi").nip not in page.content.decode()
