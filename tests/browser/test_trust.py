"""Issue 17's trust items in real Chromium: tracking with the steps still to come, the
receipt PDF (downloaded, parsed, its QR code decoded), withdrawal's confirmation page,
"Lupa kode akses?" end to end through a real SMTP server, and the verification page
(signer first, "Detail teknis" closed). axe finds no serious problem on any state."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from loket.cases import services as case_services
from loket.cases.flow import track_url
from loket.cases.intake import Applicant
from loket.demo.agency import load_demo
from loket.documents.services import issue_certificate
from loket.notify.services import deliver_due
from loket.org.models import Position
from loket.org.selectors import holders_at
from tests.browser.conftest import CheckPage
from tests.documents.samples import pdf_bytes, png_bytes
from tests.portal.test_receipt_and_recovery import decode_qr_codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NIK = "3273055504900003"


@pytest.fixture
def demo(transactional_db: object) -> object:
    return load_demo()


def _submit() -> tuple[Any, str]:
    submission = case_services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data={
            "nama_usaha": "Warung Bu Sri",
            "bidang_usaha": "kuliner",
            "alamat_usaha": "Jl. Melati No. 5, Kota Contoh",
            "modal_usaha": 25_000_000,
            "hasil_penjualan_tahunan": 150_000_000,
        },
        documents={
            "ktp": io.BytesIO(pdf_bytes()),
            "foto_lokasi": io.BytesIO(png_bytes()),
        },
    )
    return submission.case, submission.access_code


def _open_case(page: Page, number: str, code: str) -> None:
    page.goto("/lacak/")
    page.locator("#id_tracking_number").fill(number)
    page.locator("#id_access_code").fill(code)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("journey")).to_be_visible()


def test_tracking_steps_receipt_pdf_and_withdrawal_confirmation(
    demo: Any, page: Page, check_page: CheckPage, tmp_path: Path
) -> None:
    case, code = _submit()
    _open_case(page, case.tracking_number, code)

    steps = page.get_by_test_id("journey-step")
    expect(steps).to_have_count(6)
    current = page.locator('[data-testid="journey-step"][aria-current="step"]')
    expect(current).to_contain_text("Verifikasi berkas")
    expect(page.locator('[data-testid="journey-step"][data-state="upcoming"]')).to_have_count(4)
    expect(page.get_by_test_id("next-step")).to_contain_text("Kajian teknis")
    expect(page.get_by_test_id("timeline")).to_contain_text("WIB")
    check_page(page, "trust-track-steps")

    with page.expect_download() as download:
        page.get_by_test_id("receipt-pdf").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert case.tracking_number in text and "BUKTI PENDAFTARAN" in text
    assert NIK not in text and code not in text
    assert decode_qr_codes(pdf) == [track_url(case)]

    page.locator("#id_reason").fill("Salah memilih layanan")
    page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("cancel-confirm")).to_be_visible()
    check_page(page, "trust-cancel-confirm")
    page.get_by_test_id("cancel-keep").click()
    expect(page.get_by_test_id("case-status")).not_to_have_text(re.compile("Dibatalkan|Cancelled"))
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_access_code_recovery_end_to_end_with_a_real_smtp_server(
    demo: Any, page: Page, check_page: CheckPage, smtp_server: Any
) -> None:
    case, old_code = _submit()
    deliver_due()
    earlier = len(smtp_server.messages)

    page.goto("/lacak/")
    page.get_by_test_id("forgot-code").click()
    expect(page.get_by_test_id("recover-form")).to_be_visible()
    check_page(page, "trust-recover-form")
    page.locator("#id_tracking_number").fill(case.tracking_number)
    page.locator("#id_contact").fill("sri@example.id")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("recover-sent")).to_be_visible()
    check_page(page, "trust-recover-sent")

    deliver_due()
    [mail] = smtp_server.messages[earlier:]
    assert mail.rcpt_tos == ["sri@example.id"]
    found = re.search(r"Kode akses baru: ([A-Z0-9]{8})", mail.text)
    assert found is not None and found.group(1) != old_code

    page.get_by_test_id("recover-to-track").click()
    expect(page.locator("#id_tracking_number")).to_have_value(case.tracking_number)
    page.locator("#id_access_code").fill(found.group(1))
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("journey")).to_be_visible()


def _issue_in_thread(**arguments: Any) -> Any:
    from django.db import connection

    try:
        return issue_certificate(fields=[("Nama usaha", "Warung Bu Sri")], **arguments)
    finally:
        connection.close()


def test_verification_page_shows_the_signer_first_and_hides_the_ledger_detail(
    demo: Any, page: Page, check_page: CheckPage
) -> None:
    case, _code = _submit()
    position = Position.objects.get(code="kabid-perizinan")
    holding = holders_at(position, timezone.now())[0]
    # Signing runs pyHanko's asyncio loop, which cannot start inside Playwright's: sign in
    # another thread, as the server or the worker would.
    with ThreadPoolExecutor(1) as pool:
        document = pool.submit(
            _issue_in_thread, case=case, officer=holding.officer, position=position
        ).result()

    page.goto(f"/verify/?code={document.verification_code}")
    signer = page.get_by_test_id("signer")
    expect(signer).to_contain_text(holding.officer.name)
    expect(signer).to_contain_text(position.title)
    heading_order = page.locator("main h2").all_inner_texts()
    assert heading_order[0] == "Ditandatangani oleh", heading_order
    details = page.get_by_test_id("technical-details")
    expect(details).not_to_have_attribute("open", "")
    expect(page.get_by_text(document.sha256, exact=True)).to_be_hidden()
    expect(page.get_by_test_id("timestamp")).to_be_visible()
    check_page(page, "trust-verify")

    details.locator("> summary").click()
    expect(page.get_by_text(document.sha256, exact=True)).to_be_visible()
    expect(details).to_contain_text("Buku besar publik")
    check_page(page, "trust-verify-technical")
    assert NIK not in page.content() and "Jl. Melati" not in page.content()
