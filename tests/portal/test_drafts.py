"""Step-by-step applying, drafts kept on the server, and getting one back with a code.

Issue 17: losing the session must not destroy the application.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from loket.cases.models import Case
from loket.documents.selectors import orphan_files
from loket.notify.models import OutboxMessage
from loket.portal import drafts
from loket.portal.models import ApplicationDraft, ResumeCode
from tests.portal.conftest import NIK, REVIEW, application, ktp, photo

pytestmark = pytest.mark.django_db

STEP = "/layanan/izin-usaha-mikro/ajukan/langkah/{}/"
RESUME = "/layanan/izin-usaha-mikro/ajukan/lanjutkan/"
RESUME_CODE = "/layanan/izin-usaha-mikro/ajukan/lanjutkan/kode/"
APPLICANT_KEYS = ("applicant_name", "applicant_nik", "applicant_email", "applicant_phone")


def _part(prefix: str, **overrides: Any) -> dict[str, Any]:
    body = application(**overrides)
    if prefix == "applicant_":
        return {k: v for k, v in body.items() if k in APPLICANT_KEYS}
    return {k: v for k, v in body.items() if k.startswith(prefix)}


def walk_steps(client: Client, **overrides: Any) -> None:
    """Answer the three pages of izin-usaha-mikro in order, ending at the review page."""
    first = client.post(STEP.format(1), _part("applicant_", **overrides))
    assert first.status_code == 302, first.content.decode()[:2000]
    assert first["Location"] == STEP.format(2)
    second = client.post(STEP.format(2), _part("data_", **overrides))
    assert second.status_code == 302, second.content.decode()[:2000]
    assert second["Location"] == STEP.format(3)
    third = client.post(STEP.format(3), _part("doc_", **overrides))
    assert third.status_code == 302, third.content.decode()[:2000]
    assert third["Location"] == REVIEW


def code_sent_to(recipient: str) -> str:
    message = OutboxMessage.objects.filter(event="draft_resume_code").latest("created_at")
    assert recipient in message.recipient
    found = re.search(r"\b(\d{6})\b", message.body or message.subject)
    assert found is not None
    return found.group(1)


# -- the step-by-step form --------------------------------------------------------------


def test_each_page_says_which_step_of_how_many(demo, client):
    pages = [client.get(STEP.format(n)).content.decode() for n in (1, 2, 3)]
    assert "Langkah 1 dari 3" in pages[0] and "Data pemohon" in pages[0]
    assert "Langkah 2 dari 3" in pages[1] and 'name="data_nama_usaha"' in pages[1]
    assert "Langkah 3 dari 3" in pages[2] and 'name="doc_ktp"' in pages[2]
    assert 'name="data_nama_usaha"' not in pages[0]
    assert 'name="applicant_nik"' not in pages[2]
    assert client.get(STEP.format(4)).status_code == 404


def test_an_error_puts_the_summary_first_and_error_in_the_page_title(demo, client):
    response = client.post(STEP.format(1), _part("applicant_", applicant_nik="123"))
    assert response.status_code == 422
    page = response.content.decode()
    assert re.search(r"<title>Kesalahan: Data pemohon", page)
    main = page[page.index('<main id="main"') :]
    assert main.index('class="error-summary"') < main.index("<h1")  # first thing read
    assert 'href="#id_applicant_nik"' in page
    assert 'value="Sri Wahyuni"' in page


def test_the_nik_birth_date_error_is_in_plain_words(demo, client):
    # Day 32 (and 72 for a woman) is no date: the NIK's digits 7-12 hold no birth date.
    response = client.post(STEP.format(1), _part("applicant_", applicant_nik="3273053204900003"))
    page = response.content.decode()
    assert "NIK ini tidak memuat tanggal lahir yang benar" in page
    assert "DDMMYY" not in page


def test_walking_the_pages_reaches_the_review_and_submits_one_case(demo, client):
    walk_steps(client)
    review = client.get(REVIEW).content.decode()
    assert "Warung Bu Sri" in review and "ktp.pdf" in review
    assert 'href="/layanan/izin-usaha-mikro/ajukan/langkah/2/"' in review  # "change" link
    key = re.search(r'name="idempotency_key" value="(\w+)"', review)
    assert key is not None
    confirmed = client.post(REVIEW, {"idempotency_key": key.group(1)})
    assert confirmed.status_code == 302
    case = Case.objects.get()
    assert case.data["nama_usaha"] == "Warung Bu Sri"
    assert not ApplicationDraft.objects.exists()  # it became the case


def test_the_back_link_leads_to_the_previous_page_with_its_answers(demo, client):
    client.post(STEP.format(1), _part("applicant_"))
    second = client.get(STEP.format(2)).content.decode()
    assert 'href="/layanan/izin-usaha-mikro/ajukan/langkah/1/" data-testid="back-link"' in second
    first = client.get(STEP.format(1)).content.decode()
    assert 'value="Sri Wahyuni"' in first and f'value="{NIK}"' in first


def test_changing_one_answer_from_the_review_returns_to_the_review(demo, client):
    walk_steps(client)
    changed = client.post(STEP.format(2), _part("data_", data_nama_usaha="Warung Sri Rejeki"))
    assert changed["Location"] == REVIEW
    assert "Warung Sri Rejeki" in client.get(REVIEW).content.decode()


def test_the_document_page_gives_the_browser_the_limits_it_checks_before_sending(demo, client):
    page = client.get(STEP.format(3)).content.decode()
    assert re.search(r'name="doc_ktp"[^>]*data-max-bytes="2097152"', page)
    assert re.search(r'name="doc_foto_lokasi"[^>]*data-types="jpeg png pdf"', page)
    assert "/static/portal/apply.js" in page


# -- the draft lives on the server ---------------------------------------------------------


def test_a_page_is_saved_to_the_database_encrypted_and_the_session_only_points_at_it(demo, client):
    client.post(STEP.format(1), _part("applicant_"))
    row = ApplicationDraft.objects.get()
    assert client.session[drafts.DRAFTS] == {"izin-usaha-mikro": str(row.pk)}
    assert row.content["applicant"]["nik"] == NIK
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM portal_applicationdraft")
        (raw,) = cursor.fetchone()
    assert NIK not in raw and "Sri Wahyuni" not in raw and "sri@example.id" not in raw
    assert row.email_hash and row.phone_hash


def test_uploads_of_a_living_draft_are_not_purged_as_orphans(demo, client):
    client.post(STEP.format(1), _part("applicant_"))
    client.post(STEP.format(3), {"doc_ktp": ktp(), "doc_foto_lokasi": photo()})
    later = timezone.now() + dt.timedelta(days=3)
    assert not orphan_files(created_before=later).exists()
    ApplicationDraft.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert drafts.purge_expired() == 1
    assert orphan_files(created_before=later).count() == 2


def test_an_expired_draft_is_not_loaded(demo, client):
    walk_steps(client)
    ApplicationDraft.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert 'data-testid="session-expired"' in client.get(REVIEW).content.decode()


# -- coming back with a one-time code --------------------------------------------------------


def test_after_the_session_is_lost_a_code_by_e_mail_gives_the_draft_back(demo, client):
    walk_steps(client)
    stranger_browser = Client()  # the same person, cookies gone
    expired = stranger_browser.get(REVIEW)
    assert 'data-testid="session-expired"' in expired.content.decode()
    asked = stranger_browser.post(RESUME, {"contact": "SRI@example.id"})
    assert asked["Location"] == RESUME_CODE
    code = code_sent_to("sri@example.id")
    back = stranger_browser.post(RESUME_CODE, {"code": code})
    assert back.status_code == 302 and back["Location"] == REVIEW
    review = stranger_browser.get(REVIEW).content.decode()
    assert "Warung Bu Sri" in review and "ktp.pdf" in review


def test_the_code_can_go_by_sms_to_the_mobile_number_given(demo, client):
    walk_steps(client)
    other = Client()
    other.post(RESUME, {"contact": "+62 812-3456-7890"})
    message = OutboxMessage.objects.get(event="draft_resume_code")
    assert message.channel == "sms" and message.recipient == "+6281234567890"
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code is not None
    assert other.post(RESUME_CODE, {"code": code.group(1)})["Location"] == REVIEW


def test_a_code_is_stored_hashed_and_works_once(demo, client):
    walk_steps(client)
    first = Client()
    first.post(RESUME, {"contact": "sri@example.id"})
    code = code_sent_to("sri@example.id")
    record = ResumeCode.objects.get()
    assert code not in record.code_hash
    assert first.post(RESUME_CODE, {"code": code}).status_code == 302
    second = Client()
    second.post(RESUME, {"contact": "sri@example.id"})
    # the old code again (not the new one just sent): refused
    again = second.post(RESUME_CODE, {"code": code})
    assert again.status_code == 422
    assert "Kode itu salah atau sudah tidak berlaku" in again.content.decode()


def test_an_expired_code_is_refused(demo, client):
    walk_steps(client)
    other = Client()
    other.post(RESUME, {"contact": "sri@example.id"})
    code = code_sent_to("sri@example.id")
    ResumeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert other.post(RESUME_CODE, {"code": code}).status_code == 422


def test_five_wrong_codes_end_the_code(demo, client):
    walk_steps(client)
    other = Client()
    other.post(RESUME, {"contact": "sri@example.id"})
    code = code_sent_to("sri@example.id")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _attempt in range(4):
        assert other.post(RESUME_CODE, {"code": wrong}).status_code == 422
    assert ResumeCode.objects.get().failed_attempts == 4
    assert other.post(RESUME_CODE, {"code": wrong}).status_code == 422
    assert other.post(RESUME_CODE, {"code": code}).status_code == 422  # too late now


def test_an_unknown_contact_gets_the_same_answer_and_no_message(demo, client):
    walk_steps(client)
    other = Client()
    asked = other.post(RESUME, {"contact": "nobody@example.id"})
    assert asked["Location"] == RESUME_CODE
    assert not OutboxMessage.objects.filter(event="draft_resume_code").exists()


def test_codes_to_one_contact_are_rate_limited_like_account_mail(demo, client, settings):
    settings.LOKET_RESUME_CODES_PER_CONTACT = 2
    walk_steps(client)
    other = Client()
    for _ask in range(3):
        other.post(RESUME, {"contact": "sri@example.id"})
    assert OutboxMessage.objects.filter(event="draft_resume_code").count() == 2


def test_too_many_requests_from_one_address_are_refused(demo, client, settings):
    settings.LOKET_ACCOUNT_MAILS_PER_ADDRESS = 1
    other = Client()
    assert other.post(RESUME, {"contact": "a@example.id"}).status_code == 302
    assert other.post(RESUME, {"contact": "b@example.id"}).status_code == 429


def test_a_contact_that_is_neither_e_mail_nor_mobile_is_refused_clearly(demo, client):
    response = client.post(RESUME, {"contact": "12"})
    assert response.status_code == 422
    assert "Masukkan alamat email atau nomor ponsel" in response.content.decode()


# -- a failed CSRF check ---------------------------------------------------------------------


def test_a_lost_cookie_on_a_page_gives_a_branded_page_with_what_was_typed(demo):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        STEP.format(2), _part("data_", data_nama_usaha="Warung Bu Sri", doc_ktp=None)
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Sesi Anda berakhir sebelum halaman ini terkirim" in page
    assert "Langkah 2 dari 3" in page
    assert 'value="Warung Bu Sri"' in page and 'value="25000000"' in page
    assert "DEBUG" not in page and "CSRF verification failed" not in page
    assert 'name="csrfmiddlewaretoken"' in page  # sending again works
    assert not ApplicationDraft.objects.exists()  # nothing of a refused post is kept


def test_a_lost_cookie_elsewhere_gives_the_branded_expired_page(demo):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/lacak/", {"tracking_number": "X", "access_code": "Y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Halaman ini sudah kedaluwarsa" in page
    assert "DEBUG" not in page


def test_a_page_sent_again_after_a_lost_cookie_joins_the_draft_given_back(demo, client):
    client.post(STEP.format(1), _part("applicant_"))
    fresh = Client()  # cookies lost after page 1; page 2 sent again in the new session
    assert fresh.post(STEP.format(2), _part("data_"))["Location"] == STEP.format(3)
    fresh.post(RESUME, {"contact": "sri@example.id"})
    back = fresh.post(RESUME_CODE, {"code": code_sent_to("sri@example.id")})
    assert back["Location"] == STEP.format(3)  # pages 1 and 2 done, documents next
    draft = drafts.load(fresh.session, "izin-usaha-mikro")
    assert draft is not None
    assert draft.applicant["nik"] == NIK and draft.data["nama_usaha"] == "Warung Bu Sri"
    assert ApplicationDraft.objects.count() == 1


def test_the_worker_deletes_expired_drafts_every_hour(demo, client):
    from loket.core.management.commands.worker import default_schedule
    from loket.portal.tasks import purge_expired_drafts

    assert "loket.portal.tasks:purge_expired_drafts" in [p.task_path for p in default_schedule()]
    walk_steps(client)
    assert purge_expired_drafts.call() == 0
    ApplicationDraft.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert purge_expired_drafts.call() == 1
    assert not ApplicationDraft.objects.exists() and not ResumeCode.objects.exists()
