"""Issue 17 in a real browser: one topic per page (the service's data groups) on a 390 px
phone, and the searchable KBLI list. Every page state is checked with axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from loket.cases.models import Case
from loket.demo.agency import load_demo
from tests.browser.conftest import CheckPage
from tests.documents.samples import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Kota Bandung (32 73 05), a woman born 15-04-1990.
NIK = "3273055504900003"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(transactional_db: object) -> object:
    return load_demo()


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    path = tmp_path / "surat.pdf"
    path.write_bytes(pdf_bytes())
    return path


def _continue(page: Page) -> None:
    page.get_by_test_id("step-continue").click()


def _on_page(page: Page, number: int, total: int, title: str) -> None:
    expect(page.get_by_test_id("step-counter")).to_contain_text(f"Langkah {number} dari {total}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page).to_have_title(re.compile(f"^{re.escape(title)} – Langkah {number} dari {total}"))


def test_each_topic_is_its_own_page_on_a_390px_phone(
    browser: Browser, live_server: Any, check_page: CheckPage, demo: object, letter: Path
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/layanan/surat-keterangan-domisili/")
        page.get_by_test_id("apply-start").click()
        _on_page(page, 1, 5, "Data pemohon")
        page.locator("#id_applicant_name").fill("Sri Wahyuni")
        page.locator("#id_applicant_nik").fill(NIK)
        page.locator("#id_applicant_email").fill("sri@example.id")
        _continue(page)

        _on_page(page, 2, 5, "Data diri")
        expect(page.get_by_test_id("step-hint")).to_have_text("Tulis persis seperti di KTP-el.")
        expect(page.locator("#id_data_alamat")).to_have_count(0)  # another topic, another page
        check_page(page, "portal-groups-2-phone")
        page.locator("#id_data_nama_lengkap").fill("Sri Wahyuni")
        page.locator("#id_data_nik").fill(NIK)
        page.locator("#id_data_tanggal_lahir").fill("1990-04-16")  # not what the NIK says
        _continue(page)
        # The check across two fields of this page is made here, not at the end.
        expect(page.locator(".error-summary")).to_be_focused()
        expect(page).to_have_title(re.compile("^Kesalahan: Data diri"))
        check_page(page, "portal-groups-2-error-phone")
        page.locator("#id_data_tanggal_lahir").fill("1990-04-15")
        _continue(page)

        _on_page(page, 3, 5, "Tempat tinggal")
        check_page(page, "portal-groups-3-phone")
        page.locator("#id_data_alamat").fill("Jl. Melati No. 5")
        page.locator("#id_data_rt").fill("003")
        page.locator("#id_data_rw").fill("007")
        page.locator("#id_data_status_tempat_tinggal_0").check()
        page.locator("#id_data_lama_tinggal_bulan").fill("24")
        _continue(page)

        _on_page(page, 4, 5, "Keperluan surat")
        page.get_by_test_id("back-link").click()  # back: the page keeps its answers
        expect(page.locator("#id_data_alamat")).to_have_value("Jl. Melati No. 5")
        _continue(page)
        page.locator("#id_data_keperluan").fill("Pembukaan rekening bank")
        _continue(page)

        _on_page(page, 5, 5, "Dokumen")
        for name in ("ktp", "kartu_keluarga", "surat_pengantar_rt_rw"):
            page.locator(f"#id_doc_{name}").set_input_files(str(letter))
        _continue(page)

        review = page.get_by_test_id("review-data")
        for title in ("Data diri", "Tempat tinggal", "Keperluan surat"):
            expect(review.get_by_role("heading", name=title)).to_be_visible()
        expect(review).to_contain_text("Pembukaan rekening bank")
        check_page(page, "portal-groups-review-phone")
        page.get_by_test_id("change-data-tempat_tinggal").click()
        _on_page(page, 3, 5, "Tempat tinggal")
        page.locator("#id_data_lama_tinggal_bulan").fill("36")
        _continue(page)  # every page answered: straight back to the check-your-answers page
        expect(page.get_by_test_id("review-data")).to_contain_text("36")
        page.get_by_test_id("confirm-submit").click()
        expect(page.get_by_test_id("access-code")).to_be_visible()
        data = Case.objects.get().data
        assert data["lama_tinggal_bulan"] == 36 and data["keperluan"] == "Pembukaan rekening bank"
    finally:
        context.close()


def test_the_kbli_box_suggests_codes_from_words_of_the_title(
    page: Page, check_page: CheckPage, demo: object
) -> None:
    page.goto("/layanan/izin-usaha-mikro/ajukan/langkah/1/")
    page.locator("#id_applicant_name").fill("Sri Wahyuni")
    page.locator("#id_applicant_nik").fill(NIK)
    page.locator("#id_applicant_email").fill("sri@example.id")
    _continue(page)
    box = page.locator("#id_data_kbli")
    box.press_sequentially("warung mak", delay=30)
    expect(page.locator("#id_data_kbli_options option")).not_to_have_count(0)
    options = page.locator("#id_data_kbli_options option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert "56102 – Rumah/Warung Makan" in options
    check_page(page, "portal-kbli-suggestions")
    box.fill("99999")
    page.locator("#id_data_nib").fill("91200012345")
    page.locator("#id_data_nama_usaha").fill("Warung Bu Sri")
    page.locator("#id_data_bidang_usaha_0").check()
    page.locator("#id_data_alamat_usaha").fill("Jl. Melati No. 5, Kota Contoh")
    page.locator("#id_data_modal_usaha").fill("25.000.000")
    _continue(page)
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#id_data_kbli_error")).to_contain_text("99999 bukan kode KBLI 2020")
    expect(page.locator("#id_data_nib_error")).to_contain_text("13 angka NIB dari OSS")
    check_page(page, "portal-kbli-errors")
    page.locator("#id_data_kbli").fill("56102 – Rumah/Warung Makan")
    page.locator("#id_data_nib").fill("9120001234567")
    _continue(page)
    expect(page.get_by_test_id("step-counter")).to_contain_text("Langkah 3 dari 3")
