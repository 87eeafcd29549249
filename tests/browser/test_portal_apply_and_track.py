"""The applicant's path in a real browser: find a service, apply with documents, track it.

Once in Indonesian (the default) and once in English; every page is checked
with axe-core and at 360 px wide (`check_page`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from loket.cases.models import Case
from loket.demo.agency import load_demo
from tests.browser.conftest import CheckPage
from tests.documents.samples import pdf_bytes, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NIK = "3273055504900003"
# A long unbroken word (the field allows 120 characters) must wrap, not widen the page:
# check_page fails any page that scrolls sideways at 360 px.
BUSINESS = "Warung Bu Sri " + "W" * 100


@pytest.fixture
def demo(transactional_db: object) -> object:
    return load_demo()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    ktp = tmp_path / "ktp.pdf"
    ktp.write_bytes(pdf_bytes())
    photo = tmp_path / "lokasi.png"
    photo.write_bytes(png_bytes())
    text = tmp_path / "bukan-pdf.pdf"
    text.write_bytes(b"this is not a PDF")
    return {"ktp": ktp, "photo": photo, "fake": text}


def _fill_application(page: Page, files: dict[str, Path]) -> None:
    page.locator("#id_applicant_name").fill("Sri Wahyuni")
    page.locator("#id_applicant_nik").fill(NIK)
    page.locator("#id_applicant_email").fill("sri@example.id")
    page.locator("#id_data_nama_usaha").fill(BUSINESS)
    page.locator("#id_data_bidang_usaha_0").check()
    page.locator("#id_data_alamat_usaha").fill("Jl. Melati No. 5, Kota Contoh")
    page.locator("#id_data_modal_usaha").fill("25000000")
    page.locator("#id_data_hasil_penjualan_tahunan").fill("150000000")
    page.locator("#id_doc_foto_lokasi").set_input_files(str(files["photo"]))


def _apply_and_track(page: Page, check_page: CheckPage, files: dict[str, Path], lang: str,
                     texts: dict[str, str], base_url: str) -> None:  # fmt: skip
    suffix = "" if lang == "id" else "-en"
    page.get_by_role("link", name=texts["service"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["service"])
    check_page(page, f"portal-service{suffix}")

    page.get_by_test_id("apply-link").click()
    expect(page.get_by_test_id("apply-form")).to_be_visible()
    check_page(page, f"portal-apply{suffix}")

    # A wrong file and a missing NIK: errors next to the fields, nothing typed is lost.
    _fill_application(page, files)
    page.locator("#id_applicant_nik").fill("")
    page.locator("#id_doc_ktp").set_input_files(str(files["fake"]))
    page.get_by_test_id("apply-continue").click()
    expect(page.locator("#id_doc_ktp_error")).to_contain_text("bukan-pdf.pdf")
    expect(page.locator("#id_applicant_nik")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_data_nama_usaha")).to_have_value(BUSINESS)
    expect(page.locator("#id_doc_foto_lokasi_helptext")).to_contain_text("lokasi.png")
    check_page(page, f"portal-apply-errors{suffix}")

    page.locator("#id_applicant_nik").fill(NIK)
    page.locator("#id_doc_ktp").set_input_files(str(files["ktp"]))
    page.get_by_test_id("apply-continue").click()
    expect(page.get_by_test_id("review-data")).to_contain_text("Warung Bu Sri")
    expect(page.get_by_test_id("review-documents")).to_contain_text("lokasi.png")
    check_page(page, f"portal-review{suffix}")

    page.get_by_test_id("confirm-submit").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    code = page.get_by_test_id("access-code").inner_text().strip()
    assert len(code) == 8
    check_page(page, f"portal-receipt{suffix}")
    assert Case.objects.get(tracking_number=number).language == lang

    # Track it from another browser with the number and the code.
    browser = page.context.browser
    assert browser is not None
    other = browser.new_context(base_url=base_url, locale="id-ID")
    tracker = other.new_page()
    try:
        tracker.goto("/lacak/")
        if lang == "en":
            tracker.get_by_label("Bahasa").select_option("en")
            tracker.get_by_role("button", name="Ganti").click()
        check_page(tracker, f"portal-track-form{suffix}")
        tracker.locator("#id_tracking_number").fill(number)
        tracker.locator("#id_access_code").fill("AAAAAAAA")
        tracker.get_by_role("main").get_by_role("button").click()
        expect(tracker.get_by_role("alert")).to_be_visible()
        tracker.locator("#id_access_code").fill(code)
        tracker.get_by_role("main").get_by_role("button").click()
        expect(tracker.get_by_role("heading", level=1)).to_contain_text(number)
        expect(tracker.get_by_test_id("timeline")).to_contain_text(texts["position"])
        expect(tracker.get_by_test_id("case-status")).to_have_text(texts["status"])
        check_page(tracker, f"portal-track{suffix}")
    finally:
        other.close()


def test_applicant_applies_with_documents_and_tracks_in_indonesian(
    page: Page, check_page: CheckPage, demo: object, files: dict[str, Path], live_server: Any
) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Layanan publik")
    check_page(page, "portal-home")
    _apply_and_track(page, check_page, files, "id", {
        "service": "Fasilitasi Pendaftaran NIB Usaha Mikro", "position": "Petugas Front Office",
        "status": "Sedang diproses",
    }, live_server.url)  # fmt: skip


def test_applicant_applies_with_documents_and_tracks_in_english(
    page: Page, check_page: CheckPage, demo: object, files: dict[str, Path], live_server: Any
) -> None:
    page.goto("/")
    page.get_by_label("Bahasa").select_option("en")
    page.get_by_role("button", name="Ganti").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Public services")
    check_page(page, "portal-home-en")
    _apply_and_track(page, check_page, files, "en", {
        "service": "NIB Registration Facilitation for Micro Businesses",
        "position": "Front-Office Officer",
        "status": "In progress",
    }, live_server.url)  # fmt: skip
