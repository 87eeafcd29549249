"""A receipt that lasts: the printable PDF with its QR code, the access code in the
applicant's mail and SMS, and "Lupa kode akses?" through the contact on file."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from django.test import Client

from loket.cases.flow import track_url
from loket.cases.models import Case
from loket.notify.models import OutboxMessage
from loket.notify.services import deliver_due
from tests.portal.conftest import NIK, submit

pytestmark = pytest.mark.django_db

RECOVER = "/lacak/lupa-kode/"


def decode_qr_codes(pdf: bytes) -> list[str]:
    import pypdfium2
    import zxingcpp

    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_receipt_pdf_holds_the_tracking_number_and_a_qr_code_to_the_tracking_page(demo, client):
    case, code = submit(client)

    response = client.get(f"/permohonan/{case.tracking_number}/bukti-pendaftaran.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert "BUKTI PENDAFTARAN PERMOHONAN" in text
    assert case.tracking_number in text
    assert "Fasilitasi" in text or case.service.name.split()[0] in text
    assert "Verifikasi berkas" in text  # what happens next
    assert "WIB" in text
    assert "/lacak/lupa-kode/" in text
    assert NIK not in text and code not in text  # no NIK, no access code on paper
    assert decode_qr_codes(response.content) == [track_url(case)]
    # The agency's crest heads the receipt.
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert sum(len(page.images) for page in reader.pages) == 1


def test_receipt_pdf_is_only_for_whoever_may_see_the_case(demo, client):
    case, _code = submit(client)
    stranger = Client()
    response = stranger.get(f"/permohonan/{case.tracking_number}/bukti-pendaftaran.pdf")
    assert response.status_code == 404


def test_the_access_code_is_in_the_mail_and_sms_confirming_the_application(demo, client):
    _case, code = submit(client)

    received = OutboxMessage.objects.filter(event="received")
    assert {m.channel for m in received} >= {"email", "sms"}
    for message in received:
        assert code in message.body, message.channel
    # Signed by the agency that runs the service.
    [mail] = [m for m in received if m.channel == "email"]
    assert "Pemerintah Kota Contoh" in mail.body


def _ask(client: Client, number: str, contact: str):
    return client.post(RECOVER, {"tracking_number": number, "contact": contact})


def test_a_new_code_goes_to_the_email_on_file_and_replaces_the_old_one(demo, client, smtp_server):
    case, old_code = submit(client)
    deliver_due()
    earlier = len(smtp_server.messages)
    stranger = Client()

    response = _ask(stranger, case.tracking_number.lower(), "SRI@example.id")

    assert response.status_code == 200
    assert 'data-testid="recover-sent"' in response.content.decode()
    deliver_due()
    [mail] = smtp_server.messages[earlier:]
    assert mail.rcpt_tos == ["sri@example.id"]
    new_code = re.search(r"Kode akses baru: ([A-Z0-9]{8})", mail.text)
    assert new_code is not None and new_code.group(1) != old_code
    assert new_code.group(1) not in response.content.decode()
    track = stranger.post(
        "/lacak/", {"tracking_number": case.tracking_number, "access_code": new_code.group(1)}
    )
    assert track.status_code == 302
    old = Client().post(
        "/lacak/", {"tracking_number": case.tracking_number, "access_code": old_code}
    )
    assert old.status_code == 422


def test_a_new_code_goes_by_sms_when_the_phone_on_file_is_given(demo, client):
    case, _code = submit(client)
    before = OutboxMessage.objects.count()

    _ask(Client(), case.tracking_number, "+62 812-3456-7890")

    [sms] = OutboxMessage.objects.order_by("-id")[: OutboxMessage.objects.count() - before]
    assert sms.channel == "sms" and sms.event == "access_code_reissued"
    assert re.search(r"[A-Z0-9]{8}", sms.body)


def test_the_answer_is_the_same_for_a_wrong_contact_or_an_unknown_number(demo, client):
    case, _code = submit(client)
    before = OutboxMessage.objects.count()
    hash_before = case.access_code_hash

    wrong_contact = _ask(Client(), case.tracking_number, "budi@example.id")
    unknown = _ask(Client(), "IUM-2026-999999", "sri@example.id")
    assert Case.objects.get(pk=case.pk).access_code_hash == hash_before
    assert OutboxMessage.objects.count() == before
    right = _ask(Client(), case.tracking_number, "sri@example.id").content.decode()

    def body(html: str) -> str:
        main = re.search(r"<main.*</main>", html, re.S)
        assert main is not None
        return re.sub(r"IUM-\d{4}-\d+", "N", main.group(0))

    assert wrong_contact.status_code == unknown.status_code == 200
    assert body(wrong_contact.content.decode()) == body(unknown.content.decode()) == body(right)
    # Only the matching request sent anything (to the e-mail given, not the phone too).
    assert OutboxMessage.objects.count() - before == 1
    assert Case.objects.get(pk=case.pk).access_code_hash != hash_before


def test_asking_too_often_for_one_number_is_refused_without_sending(demo, client, settings):
    settings.LOKET_RECOVERY_PER_NUMBER = 2
    case, _code = submit(client)
    for attempt in range(2):
        other = Client(REMOTE_ADDR=f"10.1.0.{attempt + 1}")
        assert _ask(other, case.tracking_number, "sri@example.id").status_code == 200
    sent = OutboxMessage.objects.filter(event="access_code_reissued").count()

    refused = _ask(Client(REMOTE_ADDR="10.1.0.9"), case.tracking_number, "sri@example.id")

    assert refused.status_code == 429
    assert 'role="alert"' in refused.content.decode()
    assert OutboxMessage.objects.filter(event="access_code_reissued").count() == sent


def test_one_address_cannot_ask_for_codes_across_many_numbers(demo, client, settings):
    settings.LOKET_RECOVERY_PER_ADDRESS = 3
    scanner = Client(REMOTE_ADDR="10.2.0.1")
    for serial in range(3):
        assert _ask(scanner, f"IUM-2026-{serial:06d}", "x@example.id").status_code == 200
    assert _ask(scanner, "IUM-2026-000099", "x@example.id").status_code == 429
