"""Issue 17 in a real browser: the step-by-step application on a phone and a slow line,
a lost cookie and an expired session that lose nothing, and a camera-size photo made
small enough in the browser. Every page state is checked with axe (`check_page`)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from loket.cases.models import Case, CaseDocument
from loket.demo.agency import load_demo
from loket.notify.models import OutboxMessage
from tests.browser.conftest import CheckPage
from tests.documents.samples import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NIK = "3273055504900003"
START = "/layanan/izin-usaha-mikro/ajukan/langkah/1/"
PHONE = {"width": 390, "height": 844}
KTP_LIMIT = 2 * 1024 * 1024


@pytest.fixture
def demo(transactional_db: object) -> object:
    return load_demo()


@pytest.fixture
def ktp(tmp_path: Path) -> Path:
    path = tmp_path / "ktp.pdf"
    path.write_bytes(pdf_bytes())
    return path


def _noise_jpeg(path: Path, size: tuple[int, int]) -> Path:
    """A photo-like JPEG that does not compress away: grey noise over a gradient."""
    noise = Image.effect_noise(size, 60).convert("RGB")
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    Image.blend(noise, gradient, 0.3).save(path, "JPEG", quality=95)
    return path


def _fill_about_you(page: Page) -> None:
    page.locator("#id_applicant_name").fill("Sri Wahyuni")
    page.locator("#id_applicant_nik").fill(NIK)
    page.locator("#id_applicant_email").fill("sri@example.id")


def _fill_details(page: Page, business: str = "Warung Bu Sri") -> None:
    page.locator("#id_data_nama_usaha").fill(business)
    page.locator("#id_data_bidang_usaha_0").check()
    page.locator("#id_data_alamat_usaha").fill("Jl. Melati No. 5, Kota Contoh")
    page.locator("#id_data_modal_usaha").fill("25000000")


def _continue(page: Page) -> None:
    page.get_by_test_id("step-continue").click()


def _code_for(recipient: str) -> str:
    message = OutboxMessage.objects.filter(event="draft_resume_code").latest("created_at")
    assert message.recipient == recipient
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None
    return found.group(1)


def _resume_with_code(page: Page, check_page: CheckPage, name: str) -> None:
    page.locator("#id_contact").fill("sri@example.id")
    page.get_by_role("main").get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Masukkan kode Anda")
    check_page(page, f"{name}-code")
    page.locator("#id_code").fill("000000" if _code_for("sri@example.id") != "000000" else "111111")
    page.get_by_role("main").get_by_role("button").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile("^Kesalahan: "))
    check_page(page, f"{name}-code-error")
    page.locator("#id_code").fill(_code_for("sri@example.id"))
    page.get_by_role("main").get_by_role("button").click()


def test_a_lost_cookie_mid_form_shows_a_branded_page_that_keeps_what_was_typed(
    page: Page, check_page: CheckPage, demo: object, ktp: Path
) -> None:
    page.goto(START)
    _fill_about_you(page)
    _continue(page)
    expect(page.get_by_test_id("step-counter")).to_contain_text("Langkah 2 dari 3")
    _fill_details(page)
    page.context.clear_cookies()  # the phone's browser dropped its cookies
    _continue(page)

    notice = page.get_by_test_id("session-lost")
    expect(notice).to_contain_text("Sesi Anda berakhir sebelum halaman ini terkirim")
    expect(page.get_by_test_id("step-counter")).to_contain_text("Langkah 2 dari 3")
    expect(page.locator("#id_data_nama_usaha")).to_have_value("Warung Bu Sri")
    expect(page.locator("#id_data_modal_usaha")).to_have_value("25000000")
    expect(page.locator("#id_data_bidang_usaha_0")).to_be_checked()
    expect(page.locator("body")).not_to_contain_text("DEBUG")
    check_page(page, "portal-steps-csrf-failure")

    _continue(page)  # sent again: accepted in the new session
    expect(page.get_by_test_id("step-counter")).to_contain_text("Langkah 3 dari 3")
    page.locator("#id_doc_ktp").set_input_files(str(ktp))
    page.locator("#id_doc_foto_lokasi").set_input_files(str(ktp))
    _continue(page)
    # Page 1 was answered in the lost session: the page offers it back with a code.
    expect(page.get_by_test_id("step-counter")).to_contain_text("Langkah 1 dari 3")
    page.get_by_test_id("offer-resume").get_by_role("link").click()
    check_page(page, "portal-steps-resume")
    _resume_with_code(page, check_page, "portal-steps-resume")
    expect(page.get_by_test_id("review-applicant")).to_contain_text("Sri Wahyuni")
    expect(page.get_by_test_id("review-data")).to_contain_text("Warung Bu Sri")
    expect(page.get_by_test_id("review-documents")).to_contain_text("ktp.pdf")


def test_an_expired_session_at_the_review_page_gets_the_draft_back(
    page: Page, check_page: CheckPage, demo: object, ktp: Path
) -> None:
    page.goto(START)
    _fill_about_you(page)
    _continue(page)
    _fill_details(page)
    _continue(page)
    page.locator("#id_doc_ktp").set_input_files(str(ktp))
    page.locator("#id_doc_foto_lokasi").set_input_files(str(ktp))
    _continue(page)
    expect(page.get_by_test_id("review-data")).to_contain_text("Warung Bu Sri")

    Session.objects.all().delete()  # the session expired while the page was open
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("session-expired")).to_have_text("Sesi Anda telah berakhir")
    expect(page.locator("body")).not_to_contain_text("Isi formulir permohonan terlebih dahulu")
    check_page(page, "portal-steps-session-expired")
    _resume_with_code(page, check_page, "portal-steps-expired")

    expect(page.get_by_test_id("review-data")).to_contain_text("Warung Bu Sri")
    expect(page.get_by_test_id("review-documents")).to_contain_text("ktp.pdf")
    check_page(page, "portal-steps-review-restored")
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("access-code")).to_be_visible()
    assert Case.objects.get().data["nama_usaha"] == "Warung Bu Sri"


def test_the_step_by_step_form_on_a_390px_phone_with_a_slow_line(
    browser: Browser, live_server: Any, check_page: CheckPage, demo: object, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="id-ID")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        # A weak 3G line: 400 ms round trips, 50 kB/s down, 20 kB/s up.
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 400, "downloadThroughput": 50_000,
             "uploadThroughput": 20_000},
        )  # fmt: skip
        page.goto("/layanan/izin-usaha-mikro/")
        page.get_by_test_id("apply-start").click()
        expect(page.get_by_test_id("step-counter")).to_contain_text("Langkah 1 dari 3")
        expect(page).to_have_title(re.compile("^Data pemohon – Langkah 1 dari 3"))
        check_page(page, "portal-steps-1-phone")

        _continue(page)  # nothing filled in
        expect(page.locator(".error-summary")).to_be_focused()
        expect(page).to_have_title(re.compile("^Kesalahan: Data pemohon"))
        check_page(page, "portal-steps-1-errors-phone")
        _fill_about_you(page)
        page.locator("#id_applicant_nik").fill("3273053204900003")  # day 32: no birth date
        _continue(page)
        expect(page.locator("#id_applicant_nik_error")).to_contain_text(
            "NIK ini tidak memuat tanggal lahir yang benar"
        )
        page.locator("#id_applicant_nik").fill(NIK)
        _continue(page)

        expect(page.get_by_test_id("step-counter")).to_contain_text("Langkah 2 dari 3")
        check_page(page, "portal-steps-2-phone")
        _fill_details(page)
        page.get_by_test_id("back-link").click()  # back: page 1 keeps its answers
        expect(page.locator("#id_applicant_nik")).to_have_value(NIK)
        _continue(page)
        _fill_details(page)
        _continue(page)

        expect(page.get_by_test_id("step-counter")).to_contain_text("Langkah 3 dari 3")
        check_page(page, "portal-steps-3-phone")
        photo = _noise_jpeg(tmp_path / "warung.jpg", (500, 400))  # ~100 kB: seconds at 20 kB/s
        assert photo.stat().st_size > 60_000
        page.locator("#id_doc_ktp").set_input_files(str(photo))
        page.locator("#id_doc_foto_lokasi").set_input_files(str(photo))
        expect(page.get_by_role("button", name="Ambil foto dengan kamera").first).to_be_visible()
        _continue(page)
        # While the files travel: the button is disabled and the progress bar shows.
        expect(page.get_by_test_id("step-continue")).to_be_disabled()
        expect(page.get_by_test_id("upload-progress")).to_be_visible()
        expect(page.get_by_test_id("review-documents")).to_contain_text(
            "warung.jpg", timeout=60_000
        )
        check_page(page, "portal-steps-review-phone")
    finally:
        context.close()


def test_a_camera_size_photo_is_made_small_enough_in_the_browser_and_accepted(
    page: Page, check_page: CheckPage, demo: object, tmp_path: Path
) -> None:
    photo = _noise_jpeg(tmp_path / "IMG_20261201.jpg", (4000, 3000))
    assert photo.stat().st_size > KTP_LIMIT  # the server alone would refuse it
    page.goto(START)
    _fill_about_you(page)
    _continue(page)
    _fill_details(page)
    _continue(page)
    page.locator("#id_doc_ktp").set_input_files(str(photo))
    expect(page.locator("#id_doc_ktp_note")).to_contain_text(
        "Foto diperkecil menjadi", timeout=30_000
    )
    check_page(page, "portal-steps-photo-resized")
    page.locator("#id_doc_foto_lokasi").set_input_files(str(photo))
    expect(page.locator("#id_doc_foto_lokasi_note")).to_contain_text(
        "Foto diperkecil", timeout=30_000
    )
    _continue(page)
    expect(page.get_by_test_id("review-documents")).to_contain_text("IMG_20261201.jpg")
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("access-code")).to_be_visible()

    stored = CaseDocument.objects.get(name="ktp")
    assert stored.kind == "jpeg"
    assert stored.size <= KTP_LIMIT
    with default_storage.open(stored.storage_name) as handle:
        width, height = Image.open(io.BytesIO(handle.read())).size
    assert max(width, height) < 4000
