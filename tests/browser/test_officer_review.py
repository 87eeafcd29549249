"""The officer's review and the revision loop in real Chromium, axe-checked at every state.

- The front office checks each document (sesuai / tidak sesuai + note) after the
  documents and data, and returns the application asking for the KTP.
- The applicant sees the KTP marked; a revision that leaves it as it was is refused
  with the message on the field and what was typed kept; a new KTP is accepted.
- The officer sees what changed since the return (field old -> new, KTP replaced).
- The signer previews the unsigned, watermarked licence and confirms "Setujui dan
  tandatangani"; a double click issues one document.
- The head of unit sees every open task (not only overdue) and reassigns from the list.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader

from loket.cases import services
from loket.cases.intake import Applicant
from loket.cases.models import Case, CaseEvent, CaseStatus, Task, TaskStatus
from loket.demo.agency import DEMO_PASSWORD, load_demo
from loket.documents.models import IssuedDocument
from loket.org.models import Officer
from loket.workspace.otp import code_for, confirmed_devices
from tests.browser.conftest import DESKTOP, CheckPage
from tests.documents.samples import pdf_bytes, png_bytes
from tests.helpers import issue_requested_documents_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NIK = "3273055504900003"
REASON = "KTP terpotong; unggah foto KTP yang utuh."
NOTE = "Bagian bawah KTP terpotong."


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


def _submit() -> tuple[Case, str]:
    submission = services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data={
            "nama_usaha": "Warung Bu Sri",
            "bidang_usaha": "kuliner",
            "alamat_usaha": "Jl. Melati No. 5, Kota Contoh",
            "modal_usaha": 25_000_000,
        },
        documents={
            "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf"),
            "foto_lokasi": SimpleUploadedFile("lokasi.png", png_bytes(), content_type="image/png"),
        },
    )
    return submission.case, submission.access_code


def _officer(username: str) -> Officer:
    return Officer.objects.select_related("user").get(user__username=username)


def _approve(case: Case, step: str, username: str) -> None:
    task = Task.objects.get(case=case, step_id=step, status=TaskStatus.OPEN)
    services.decide(task_id=task.pk, officer=_officer(username), decision="approve")


def _sign_in(contexts: dict[str, BrowserContext], username: str) -> Page:
    context = contexts[username]
    if context.pages:
        return context.pages[0]
    page = context.new_page()
    page.goto("/workspace/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.locator("#id_code").fill(code_for(confirmed_devices(_officer(username).user)[0]))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#queue")).to_be_visible()
    return page


def _open_and_claim(page: Page, case: Case) -> None:
    task = Task.objects.get(case=case, status=TaskStatus.OPEN)
    page.goto(f"/workspace/tasks/{task.pk}/")
    expect(page.locator("h1")).to_contain_text(case.tracking_number)
    page.locator("#task-actions").get_by_role("button", name="Klaim tugas ini").click()
    expect(page.locator("form.decision")).to_be_visible()


def _track(contexts: dict[str, BrowserContext], case: Case, code: str) -> Page:
    page = contexts["applicant"].new_page()
    page.goto(f"/lacak/?nomor={case.tracking_number}")
    page.locator("#id_access_code").fill(code)
    page.get_by_role("main").get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.tracking_number)
    return page


def test_checklist_return_unchanged_resubmission_and_the_officers_diff(
    contexts: dict[str, BrowserContext], check_page: CheckPage, tmp_path: Any
) -> None:
    load_demo()
    case, code = _submit()
    andi = _sign_in(contexts, "andi")
    _open_and_claim(andi, case)

    # Documents and data come before the checklist, the checklist before the decision.
    order = andi.evaluate(
        """() => ['h2 + dl.summary', 'ul.documents', '[data-testid=checklist]',
                  'input[name=d-decision]'].map(s => document.querySelector(s)
                  .getBoundingClientRect().top + window.scrollY)"""
    )
    assert order == sorted(order), order
    andi.locator("input[name=d-verdict_ktp][value=tidak_sesuai]").check()
    andi.locator("input[name=d-verdict_foto_lokasi][value=sesuai]").check()
    andi.locator("input[name=d-decision][value=return]").check()
    andi.locator("#id_d-reason").fill(REASON)
    # A "tidak sesuai" without a note is refused on that document's row.
    andi.get_by_role("button", name="Catat keputusan").click()
    expect(andi.locator(".error-summary")).to_contain_text("Tuliskan apa yang salah")
    check_page(andi, "officer-checklist-error")
    andi.locator("#id_d-note_ktp").fill(NOTE)
    check_page(andi, "officer-checklist")
    andi.get_by_role("button", name="Catat keputusan").click()
    expect(andi.locator(".message.success")).to_contain_text(case.tracking_number)
    decided = CaseEvent.objects.get(case=case, kind="decided")
    assert decided.payload["checklist"]["ktp"] == {"verdict": "tidak_sesuai", "note": NOTE}
    assert decided.payload["requested"] == {"documents": ["ktp"], "fields": []}

    applicant = _track(contexts, case, code)
    expect(applicant.get_by_test_id("requested-items")).to_contain_text("KTP pemilik usaha")
    expect(applicant.get_by_test_id("requested-items")).to_contain_text(NOTE)
    expect(applicant.get_by_test_id("requested-doc_ktp")).to_contain_text("Diminta diperbaiki")
    expect(applicant.get_by_test_id("requested-doc_foto_lokasi")).to_have_count(0)
    expect(applicant.get_by_test_id("timeline").get_by_text(REASON)).to_have_count(1)
    check_page(applicant, "revision-requested")

    # The same KTP again, and another field changed: refused, the typed value kept.
    same = tmp_path / "ktp.pdf"
    same.write_bytes(pdf_bytes())
    form = applicant.get_by_test_id("resubmit-form")
    form.locator("#id_data_nama_usaha").fill("Warung Sri Rejeki")
    form.locator("#id_doc_ktp").set_input_files(str(same))
    applicant.get_by_test_id("resubmit").click()
    expect(applicant.locator(".error-summary")).to_contain_text(
        "Anda tidak mengubah yang diminta petugas: KTP pemilik usaha"
    )
    expect(applicant.locator("#id_doc_ktp")).to_have_attribute("aria-invalid", "true")
    expect(applicant.locator("#id_data_nama_usaha")).to_have_value("Warung Sri Rejeki")
    check_page(applicant, "revision-refused-unchanged")
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPLICANT and case.revision == 0

    whole = tmp_path / "ktp-utuh.pdf"
    whole.write_bytes(pdf_bytes("KTP utuh"))
    applicant.get_by_test_id("resubmit-form").locator("#id_doc_ktp").set_input_files(str(whole))
    applicant.get_by_test_id("resubmit").click()
    expect(applicant.get_by_test_id("revision-request")).to_have_count(0)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.revision == 1

    _open_and_claim(andi, case)
    changes = andi.get_by_test_id("changes")
    expect(changes.get_by_test_id("changed-field")).to_contain_text("Warung Bu Sri")
    expect(changes.get_by_test_id("changed-field")).to_contain_text("Warung Sri Rejeki")
    expect(changes.get_by_test_id("replaced-document")).to_contain_text("ktp-utuh.pdf")
    expect(changes.get_by_test_id("replaced-document")).to_contain_text("diminta")
    expect(changes.get_by_test_id("unanswered")).to_have_count(0)
    check_page(andi, "officer-changes-since-return")


def test_signer_previews_the_licence_and_confirms_before_it_is_issued(
    contexts: dict[str, BrowserContext], check_page: CheckPage
) -> None:
    load_demo()
    case, _code = _submit()
    _approve(case, "verifikasi-berkas", "andi")
    _approve(case, "kajian-teknis", "siti")
    dewi = _sign_in(contexts, "dewi")
    _open_and_claim(dewi, case)
    dewi.locator("input[name=d-verdict_ktp][value=sesuai]").check()
    dewi.locator("input[name=d-verdict_foto_lokasi][value=sesuai]").check()
    dewi.locator("input[name=d-decision][value=approve]").check()
    dewi.get_by_role("button", name="Catat keputusan").click()

    # Not issued yet: a confirmation page with the preview.
    expect(dewi.get_by_role("heading", level=1)).to_contain_text("Setujui dan tandatangani")
    assert not IssuedDocument.objects.filter(case=case).exists()
    assert Task.objects.get(case=case, step_id="persetujuan").status == TaskStatus.OPEN
    expect(dewi.get_by_test_id("preview-frame")).to_be_visible()
    check_page(dewi, "signer-confirmation")
    preview = dewi.request.get(dewi.get_by_test_id("preview-link").get_attribute("href") or "")
    assert preview.ok and preview.headers["content-type"] == "application/pdf"
    body = preview.body()
    assert b"/ByteRange" not in body and b"/Sig" not in body  # not signed
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "PRATINJAU" in text and "Sri Wahyuni" in text and "Warung Bu Sri" in text

    # The final button sent twice issues one document. (Keyboard, not the mouse: headless
    # Chromium's PDF viewer in the preview frame swallows pointer events at the button.)
    confirm = dewi.get_by_test_id("confirm-sign")
    confirm.focus()
    dewi.keyboard.press("Enter")
    dewi.keyboard.press("Enter")
    expect(dewi.locator(".message.success")).to_contain_text(case.tracking_number)
    issue_requested_documents_in_thread()  # what the worker does a moment later
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert IssuedDocument.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="decided", step_id="persetujuan").count() == 1


def test_head_sees_every_open_task_and_reassigns_from_the_list(
    contexts: dict[str, BrowserContext], check_page: CheckPage
) -> None:
    load_demo()
    late, _ = _submit()
    on_time, _ = _submit()
    late_task = Task.objects.get(case=late, status=TaskStatus.OPEN)
    Task.objects.filter(pk=late_task.pk).update(due_at=timezone.now() - dt.timedelta(days=2))
    on_time_task = Task.objects.get(case=on_time, status=TaskStatus.OPEN)
    services.claim_task(task_id=on_time_task.pk, officer=_officer("andi"))

    dewi = _sign_in(contexts, "dewi")
    dewi.goto("/workspace/unit/")
    rows = dewi.get_by_test_id("unit-task")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(late.tracking_number)  # overdue first
    expect(rows.nth(0)).to_contain_text("Terlambat")
    expect(rows.nth(1)).to_contain_text(on_time.tracking_number)
    check_page(dewi, "unit-open-tasks")

    rina = _officer("rina")
    row = rows.nth(1)
    row.get_by_label(f"Alihkan {on_time.tracking_number} kepada").select_option(str(rina.pk))
    row.get_by_role("button", name=f"Alihkan {on_time.tracking_number}").click()
    expect(dewi.locator(".message.success")).to_contain_text(rina.name)
    assert Task.objects.get(pk=on_time_task.pk).claimed_by == rina
    event = CaseEvent.objects.get(case=on_time, kind="reassigned")
    assert event.officer == _officer("dewi")
    assert event.payload == {"from": _officer("andi").nip, "to": rina.nip}
    check_page(dewi, "unit-reassigned")
