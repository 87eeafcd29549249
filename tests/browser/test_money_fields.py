"""Money typed the Indonesian way, in a real browser: "25.000.000" stays twenty-five million.

Issue 17: "25.000.000" in *Modal usaha* used to become Rp25 on the review page
(and on the signed licence). The amount must come back as Rp25.000.000, and an
amount that could mean two numbers must be refused next to its field.
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
APPLY = "/layanan/izin-usaha-mikro/ajukan/"


@pytest.fixture
def demo(transactional_db: object) -> object:
    return load_demo()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    ktp = tmp_path / "ktp.pdf"
    ktp.write_bytes(pdf_bytes())
    photo = tmp_path / "lokasi.png"
    photo.write_bytes(png_bytes())
    return {"ktp": ktp, "photo": photo}


def _open_form(page: Page) -> None:
    # The first page of a fresh live server can take a while on a busy machine.
    page.set_default_navigation_timeout(30_000)
    page.goto(APPLY)


def _fill(page: Page, files: dict[str, Path], capital: str) -> None:
    page.locator("#id_applicant_name").fill("Sri Wahyuni")
    page.locator("#id_applicant_nik").fill(NIK)
    page.locator("#id_applicant_email").fill("sri@example.id")
    page.locator("#id_data_nama_usaha").fill("Warung Bu Sri")
    page.locator("#id_data_bidang_usaha_0").check()
    page.locator("#id_data_alamat_usaha").fill("Jl. Melati No. 5, Kota Contoh")
    page.locator("#id_data_modal_usaha").fill(capital)
    page.locator("#id_data_hasil_penjualan_tahunan").fill("150 juta")
    page.locator("#id_doc_ktp").set_input_files(str(files["ktp"]))
    page.locator("#id_doc_foto_lokasi").set_input_files(str(files["photo"]))


def test_capital_typed_with_dots_shows_as_rupiah_on_review_and_is_stored_whole(
    page: Page, check_page: CheckPage, demo: object, files: dict[str, Path], live_server: Any
) -> None:
    _open_form(page)
    _fill(page, files, "25.000.000")
    page.get_by_test_id("apply-continue").click()

    review = page.get_by_test_id("review-data")
    expect(review).to_contain_text("Rp25.000.000")
    expect(review).to_contain_text("Rp150.000.000")
    check_page(page, "portal-review-money")

    page.get_by_test_id("confirm-submit").click()
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    case = Case.objects.get(tracking_number=number)
    assert case.data["modal_usaha"] == 25_000_000
    assert case.data["hasil_penjualan_tahunan"] == 150_000_000


def test_ambiguous_capital_is_refused_next_to_the_field_and_kept(
    page: Page, check_page: CheckPage, demo: object, files: dict[str, Path], live_server: Any
) -> None:
    _open_form(page)
    _fill(page, files, "25,000.50")
    page.get_by_test_id("apply-continue").click()

    expect(page.locator("#id_data_modal_usaha")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_data_modal_usaha_error")).to_contain_text("25.000.000")
    expect(page.locator("#id_data_modal_usaha")).to_have_value("25,000.50")
    check_page(page, "portal-apply-money-error")

    # Corrected the Indonesian way, it goes through.
    page.locator("#id_data_modal_usaha").fill("25 juta")
    page.get_by_test_id("apply-continue").click()
    expect(page.get_by_test_id("review-data")).to_contain_text("Rp25.000.000")
