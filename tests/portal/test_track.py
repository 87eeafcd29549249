"""Tracking: access codes, rate limiting, who may see a case, revision, withdrawal, download."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.cases import services
from loket.cases.models import AccessLockout, Case, CaseDocument, TaskStatus
from loket.core import ratelimit
from tests.accounts.factories import PASSWORD, make_applicant
from tests.conftest import english_client
from tests.documents.samples import pdf_bytes
from tests.helpers import issue_requested_documents
from tests.portal.conftest import officer, submit

pytestmark = pytest.mark.django_db


def _track(client: Client, number: str, code: str):
    return client.post("/lacak/", {"tracking_number": number, "access_code": code})


def _decide(case: Case, step: str, username: str, decision: str = "approve", reason: str = ""):
    task = case.tasks.get(step_id=step, status=TaskStatus.OPEN)
    services.decide(task_id=task.pk, officer=officer(username), decision=decision, reason=reason)


def test_right_access_code_opens_the_case_page_in_a_new_browser(demo, client):
    case, code = submit(client)
    stranger = Client()

    response = _track(stranger, case.tracking_number.lower(), code.lower())
    assert response.status_code == 302
    page = stranger.get(response["Location"]).content.decode()
    assert 'data-testid="case-status"' in page
    assert "Verifikasi berkas" in page
    assert "Petugas Front Office" in page  # who acts: the position


def test_wrong_access_code_is_refused_without_saying_whether_the_number_exists(demo, client):
    case, _code = submit(client)
    stranger = Client()

    wrong = _track(stranger, case.tracking_number, "AAAAAAAA")
    unknown = _track(stranger, "IUM-2026-999999", "AAAAAAAA")

    assert wrong.status_code == unknown.status_code == 422
    assert 'role="alert"' in wrong.content.decode()
    assert stranger.get(f"/lacak/{case.tracking_number}/").status_code == 302


def test_too_many_wrong_codes_block_even_the_right_one_for_a_while(demo, client, settings):
    case, code = submit(client)
    stranger = Client()
    for _attempt in range(settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER):
        assert _track(stranger, case.tracking_number, "AAAAAAAA").status_code == 422

    blocked = _track(stranger, case.tracking_number, code)
    assert blocked.status_code == 429
    assert "Coba lagi dalam 15 menit" in blocked.content.decode()


def test_a_blocked_address_can_still_track_another_number(demo, client, settings):
    # Behind carrier-grade NAT strangers share one address: one person's wrong guesses
    # must not lock out the others' own applications.
    case, _code = submit(client)
    other_case, other_code = submit(Client())
    shared_address = Client(REMOTE_ADDR="100.64.0.1")
    for _attempt in range(settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER):
        _track(shared_address, case.tracking_number, "AAAAAAAA")

    neighbour = Client(REMOTE_ADDR="100.64.0.1")
    assert _track(neighbour, other_case.tracking_number, other_code).status_code == 302


def test_the_owners_code_works_during_a_guessing_storm_from_many_addresses(
    demo, client, settings, caplog
):
    case, code = submit(client)
    for attempt in range(settings.LOKET_TRACK_FAILURES_PER_NUMBER):
        other = Client(REMOTE_ADDR=f"10.0.{attempt // 250}.{attempt % 250 + 1}")
        assert _track(other, case.tracking_number, "AAAAAAAA").status_code == 422

    assert _track(Client(REMOTE_ADDR="10.9.9.9"), case.tracking_number, code).status_code == 302
    # The operators are alerted once, without the tracking number in clear.
    storm = [r for r in caplog.records if "access_code.guessing_storm" in r.getMessage()]
    assert len(storm) == 1
    assert case.tracking_number not in storm[0].getMessage()
    # During the storm each guessing address gets only a few tries at that number.
    guesser = Client(REMOTE_ADDR="10.8.8.8")
    for _attempt in range(settings.LOKET_TRACK_STORM_FAILURES_PER_CLIENT_NUMBER):
        assert _track(guesser, case.tracking_number, "AAAAAAAA").status_code == 422
    assert _track(guesser, case.tracking_number, code).status_code == 429


def test_an_address_locked_out_again_waits_twice_as_long(demo, client, settings):
    case, code = submit(client)
    guesser = Client(REMOTE_ADDR="10.7.7.7")
    for _round in range(2):
        for _attempt in range(settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER):
            _track(guesser, case.tracking_number, "AAAAAAAA")
        blocked = _track(guesser, case.tracking_number, code)
        assert blocked.status_code == 429
        # Let the lock-out pass (as if the time were up) and guess again.
        AccessLockout.objects.filter(
            key=ratelimit.key("track.client-number.blocked", f"10.7.7.7|{case.tracking_number}")
        ).delete()
    assert "Coba lagi dalam 30 menit" in blocked.content.decode()


def test_another_applicant_cannot_see_or_act_on_a_case(demo, client):
    case, _code = submit(client)
    make_applicant("budi@example.id")
    other = Client()
    other.login(username="budi@example.id", password=PASSWORD)
    number = case.tracking_number

    assert other.get(f"/lacak/{number}/").status_code == 302
    assert other.get(f"/lacak/{number}/status/").status_code == 404
    assert other.get(f"/permohonan/{number}/tanda-terima/").status_code == 404
    assert other.post(f"/lacak/{number}/batal/", {"reason": "x"}).status_code == 404
    assert other.post(f"/lacak/{number}/perbaikan/", {}).status_code == 404
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_account_owner_sees_the_case_without_the_access_code(demo, client):
    make_applicant("sari@example.id")
    client.login(username="sari@example.id", password=PASSWORD)
    case, _code = submit(client)
    client.logout()
    client.login(username="sari@example.id", password=PASSWORD)

    assert client.get(f"/lacak/{case.tracking_number}/").status_code == 200


def test_timeline_names_positions_never_officers(demo, client):
    case, _code = submit(client)
    _decide(case, "verifikasi-berkas", "andi")
    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()
    timeline = page.split('data-testid="timeline"')[1].split("</ol>")[0]

    assert "Petugas Front Office" in timeline
    assert "Analis Perizinan" in timeline
    assert officer("andi").name not in page


def test_status_block_polls_while_open_and_stops_when_closed(demo, client):
    case, _code = submit(client)
    fragment = client.get(f"/lacak/{case.tracking_number}/status/").content.decode()
    assert 'hx-trigger="every 30s"' in fragment
    assert "<html" not in fragment

    client.post(
        f"/lacak/{case.tracking_number}/batal/", {"reason": "Salah layanan", "confirmed": "yes"}
    )
    closed = client.get(f"/lacak/{case.tracking_number}/status/").content.decode()
    assert "hx-trigger" not in closed


def test_withdrawing_asks_for_confirmation_on_a_page_of_its_own_first(demo, client):
    case, _code = submit(client)

    response = client.post(f"/lacak/{case.tracking_number}/batal/", {"reason": "Salah layanan"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="cancel-confirm"' in page
    assert 'name="confirmed" value="yes"' in page
    assert 'value="Salah layanan"' in page
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_applicant_withdraws_the_application(demo, client):
    case, _code = submit(client)

    response = client.post(
        f"/lacak/{case.tracking_number}/batal/", {"reason": "Salah layanan", "confirmed": "yes"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "cancelled"
    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()
    assert 'data-testid="cancel-form"' not in page
    assert "Salah layanan" in page


def test_returned_application_shows_the_reason_and_takes_a_revision(demo, client):
    case, _code = submit(client)
    _decide(case, "verifikasi-berkas", "andi", "return", "KTP buram, unggah ulang.")
    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()
    assert "KTP buram, unggah ulang." in page.split('data-testid="revision-reason"')[1]
    assert 'value="Warung Bu Sri"' in page  # the resubmit form starts from what was sent
    assert re.search(r"paling lambat \d{2}-\d{2}-\d{4} \d{2}:\d{2}", page)  # not ISO

    new_ktp = SimpleUploadedFile("ktp-jelas.pdf", pdf_bytes("KTP jelas"))
    response = client.post(
        f"/lacak/{case.tracking_number}/perbaikan/",
        {"data_alamat_usaha": "Jl. Melati No. 7", "data_nama_usaha": "Warung Bu Sri",
         "doc_ktp": new_ktp},
    )  # fmt: skip

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert case.data["alamat_usaha"] == "Jl. Melati No. 7"
    latest = CaseDocument.objects.filter(case=case, name="ktp").order_by("-revision").first()
    assert (latest.revision, latest.original_name) == (1, "ktp-jelas.pdf")


def test_revision_with_a_bad_value_comes_back_with_the_message_and_nothing_changes(demo, client):
    case, _code = submit(client)
    _decide(case, "verifikasi-berkas", "andi", "return", "Periksa hasil penjualan tahunan.")

    response = client.post(
        f"/lacak/{case.tracking_number}/perbaikan/", {"data_hasil_penjualan_tahunan": "-4"}
    )
    assert response.status_code == 422
    assert 'id="id_data_hasil_penjualan_tahunan_error"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == "awaiting_applicant"


def test_issued_document_downloads_for_the_owner_only_and_links_to_verification(demo, client):
    case, _code = submit(client)
    _decide(case, "verifikasi-berkas", "andi")
    _decide(case, "kajian-teknis", "siti")
    _decide(case, "persetujuan", "dewi")
    issue_requested_documents()
    case.refresh_from_db()
    assert case.status == "approved"
    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()
    link = re.search(r'href="(/lacak/[^"]+/dokumen/[^"]+/)" data-testid="download-document"', page)
    verify = re.search(r'href="(/verify/\?code=[0-9A-Z]{16})" data-testid="verify-document"', page)
    assert link and verify
    assert "Valid" in english_client().get(verify.group(1)).content.decode()

    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert Client().get(link.group(1)).status_code == 404
    assert "Selesai tepat waktu" in page
