"""The whole path in a real browser on the demo agency, in Indonesian and in English.

An applicant applies for izin-usaha-mikro with documents through the portal;
the application goes through each officer's queue (andi at the front office,
siti for the technical review, dewi as Plt head of division), dewi returns it,
the applicant sends the revision, the officers approve it again, and the
applicant sees the licence issued with its download link. Every page is
checked with axe-core and at 360 px wide.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Page, expect

from loket.cases.models import Case, CaseStatus
from loket.demo.agency import DEMO_PASSWORD, load_demo
from loket.workspace.otp import code_for, confirmed_devices
from tests.browser.conftest import DESKTOP, CheckPage
from tests.documents.samples import pdf_bytes, png_bytes
from tests.helpers import issue_requested_documents_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "id": {"claim": "Klaim tugas ini", "record": "Catat keputusan", "issued": "Dokumen terbit"},
    "en": {"claim": "Claim this task", "record": "Record decision", "issued": "Document issued"},
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    ktp, photo, photo2 = tmp_path / "ktp.pdf", tmp_path / "lokasi.png", tmp_path / "lokasi-2.png"
    ktp.write_bytes(pdf_bytes())
    photo.write_bytes(png_bytes())
    photo2.write_bytes(png_bytes((48, 36)))  # a new photo: the same bytes would change nothing
    return {"ktp": ktp, "photo": photo, "photo2": photo2}


@pytest.fixture
def contexts(browser: Browser, live_server: Any) -> Iterator[dict[str, BrowserContext]]:
    opened: dict[str, BrowserContext] = {}

    class Opener(dict):  # type: ignore[type-arg]
        def __missing__(self, name: str) -> BrowserContext:
            context = browser.new_context(
                base_url=live_server.url, viewport=DESKTOP, locale="id-ID"
            )
            context.set_default_timeout(15_000)
            opened[name] = context
            self[name] = context
            return context

    yield Opener()
    for context in opened.values():
        context.close()


def _set_language(page: Page, language: str) -> None:
    if language == "en":
        page.locator("#lang-select").select_option("en")
        page.locator("form.lang button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def _officer_page(contexts: dict[str, BrowserContext], username: str, language: str) -> Page:
    """A page of the officer's own browser, signed in with password and TOTP code once."""
    context = contexts[username]
    if context.pages:
        return context.pages[0]
    page = context.new_page()
    page.goto("/workspace/login/")
    _set_language(page, language)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    page.locator("#id_code").fill(code_for(confirmed_devices(user)[0]))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#queue")).to_be_visible()
    return page


def _act(
    contexts: dict[str, BrowserContext],
    check_page: CheckPage,
    *,
    username: str,
    tracking: str,
    decision: str,
    language: str,
    reason: str = "",
    shot: str,
) -> None:
    """The officer finds the case in the queue, claims the task and decides it."""
    page = _officer_page(contexts, username, language)
    page.goto("/workspace/")
    row = page.locator("table.queue tr", has_text=tracking)
    expect(row).to_have_count(1)
    check_page(page, f"{shot}-queue")
    row.get_by_role("link", name=tracking).click()
    expect(page.locator("h1")).to_contain_text(tracking)
    # Documents are viewable in the page: the photo inline, the KTP as a PDF.
    expect(page.locator("img.doc-preview").first).to_be_visible()
    expect(page.locator("object.doc-preview")).to_have_attribute("type", "application/pdf")
    page.locator("#task-actions").get_by_role("button", name=TEXT[language]["claim"]).click()
    expect(page.locator("form.decision")).to_be_visible()  # swapped in place by htmx
    if decision != "approve":
        # Without a reason the return is refused with the error on the reason field.
        page.locator(f"input[name=d-decision][value={decision}]").check()
        page.get_by_role("button", name=TEXT[language]["record"]).click()
        expect(page.locator("#id_d-reason")).to_have_attribute("aria-invalid", "true")
        check_page(page, f"{shot}-reason-error")
        page.locator("#id_d-reason").fill(reason)
    page.locator(f"input[name=d-decision][value={decision}]").check()
    check_page(page, f"{shot}-task")
    page.get_by_role("button", name=TEXT[language]["record"]).click()
    if decision == "approve" and username == "dewi":
        # The signer's approval issues the licence: a preview, then the confirmation.
        expect(page.get_by_test_id("preview-frame")).to_be_visible()
        check_page(page, f"{shot}-confirm")
        # Keyboard, not the mouse: headless Chromium's PDF viewer in the preview frame
        # swallows pointer events at the button.
        page.get_by_test_id("confirm-sign").press("Enter")
    expect(page.locator(".message.success")).to_contain_text(tracking)
    expect(page.locator("table.queue tr", has_text=tracking)).to_have_count(0)


@pytest.mark.both_databases
@pytest.mark.parametrize("language", ["id", "en"])
def test_full_path_from_application_to_issued_licence(
    contexts: dict[str, BrowserContext],
    check_page: CheckPage,
    files: dict[str, Path],
    language: str,
) -> None:
    if language == "en" and connection.vendor == "postgresql":
        # Both languages run on SQLite, the default; on PostgreSQL the path runs once, in
        # the default language: the database is the same for both (~45 s of make test).
        pytest.skip("the English path runs on SQLite; PostgreSQL runs the Indonesian one")
    load_demo()
    applicant = contexts["applicant"].new_page()
    applicant.goto("/layanan/izin-usaha-mikro/")
    _set_language(applicant, language)
    check_page(applicant, f"path-{language}-service")
    applicant.get_by_test_id("apply-link").click()
    applicant.locator("#id_applicant_name").fill("Sri Wahyuni")
    applicant.locator("#id_applicant_nik").fill("3273055504900003")
    applicant.locator("#id_applicant_email").fill("sri@example.id")
    # A long unbroken word must wrap on every page, the officer's too (checked at 360 px).
    applicant.locator("#id_data_nama_usaha").fill("Warung Bu Sri " + "W" * 100)
    applicant.locator("input[name=data_bidang_usaha][value=kuliner]").check()
    applicant.locator("#id_data_alamat_usaha").fill("Jl. Melati No. 5, Kota Contoh")
    applicant.locator("#id_data_modal_usaha").fill("25000000")
    applicant.locator("#id_data_hasil_penjualan_tahunan").fill("150000000")
    applicant.locator("#id_doc_ktp").set_input_files(str(files["ktp"]))
    applicant.locator("#id_doc_foto_lokasi").set_input_files(str(files["photo"]))
    check_page(applicant, f"path-{language}-apply")
    applicant.get_by_test_id("apply-continue").click()
    check_page(applicant, f"path-{language}-review")
    applicant.get_by_test_id("confirm-submit").click()
    tracking = applicant.get_by_test_id("tracking-number").inner_text().strip()
    check_page(applicant, f"path-{language}-receipt")

    steps = {"language": language}
    _act(contexts, check_page, username="andi", tracking=tracking, decision="approve",
         shot=f"path-{language}-andi", **steps)  # fmt: skip
    _act(contexts, check_page, username="siti", tracking=tracking, decision="approve",
         shot=f"path-{language}-siti", **steps)  # fmt: skip
    _act(contexts, check_page, username="dewi", tracking=tracking, decision="return",
         reason="Foto lokasi kurang jelas; kirim foto papan nama usaha.",
         shot=f"path-{language}-dewi-return", **steps)  # fmt: skip
    assert Case.objects.get(tracking_number=tracking).status == CaseStatus.AWAITING_APPLICANT

    applicant.get_by_test_id("track-link").click()
    expect(applicant.get_by_test_id("revision-reason")).to_contain_text("papan nama")
    check_page(applicant, f"path-{language}-track-returned")
    applicant.locator("[data-testid=resubmit-form] #id_doc_foto_lokasi").set_input_files(
        str(files["photo2"])
    )
    applicant.get_by_test_id("resubmit").click()
    expect(applicant.get_by_test_id("revision-request")).to_have_count(0)
    check_page(applicant, f"path-{language}-track-resubmitted")

    _act(contexts, check_page, username="andi", tracking=tracking, decision="approve",
         shot=f"path-{language}-andi-2", **steps)  # fmt: skip
    _act(contexts, check_page, username="siti", tracking=tracking, decision="approve",
         shot=f"path-{language}-siti-2", **steps)  # fmt: skip
    _act(contexts, check_page, username="dewi", tracking=tracking, decision="approve",
         shot=f"path-{language}-dewi-approve", **steps)  # fmt: skip
    issue_requested_documents_in_thread()  # the worker signs the licence a moment later

    applicant.reload()
    expect(applicant.get_by_test_id("case-status")).to_have_text(
        "Disetujui" if language == "id" else "Approved"
    )
    download = applicant.get_by_test_id("download-document")
    expect(download).to_be_visible()
    check_page(applicant, f"path-{language}-track-approved")
    response = applicant.request.get(download.get_attribute("href") or "")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body()[:4] == b"%PDF"
