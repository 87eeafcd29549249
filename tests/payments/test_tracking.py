"""The bill on the tracking page and in the API, and the demo provider's pay page."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.cases.models import CaseStatus
from loket.payments.models import BillStatus, Callback, CallbackOutcome, Payment
from tests.helpers import issue_requested_documents
from tests.payments.conftest import REKLAME_TAX, reklame_at_payment

pytestmark = pytest.mark.django_db


def _proven(case_number: str, code: str) -> Client:
    visitor = Client()
    response = visitor.post("/lacak/", {"tracking_number": case_number, "access_code": code})
    assert response.status_code == 302
    return visitor


def test_tracking_page_shows_the_bill_and_how_to_pay(demo):
    case, bill, code = reklame_at_payment()
    visitor = _proven(case.tracking_number, code)

    page = visitor.get(f"/lacak/{case.tracking_number}/").content.decode()

    section = page.split('data-testid="bill"')[1].split("</section>")[0]
    assert "Rp360.000" in section
    assert bill.billing_code in section
    assert "SKPD/0001/REK/BAPENDA/2026" in section
    assert "Menunggu pembayaran" in section  # the state, in Indonesian
    assert "bank persepsi" in section  # how to pay, from the definition
    assert 'data-testid="demo-pay-link"' in section


def test_the_api_shows_the_bill_to_the_applicant(demo, client):
    case, bill, code = reklame_at_payment()

    body = client.get(
        f"/api/v1/applications/{case.tracking_number}", headers={"X-Access-Code": code}
    ).json()

    assert body["status"] == "awaiting_payment"
    assert body["clock_paused"] is True
    assert body["bill"]["amount"] == REKLAME_TAX
    assert body["bill"]["billing_code"] == bill.billing_code
    assert body["bill"]["status"] == "waiting"
    assert body["bill"]["payment_kind"] == "pajak"
    assert body["bill"]["due_at"].startswith(bill.due_at.astimezone().date().isoformat()[:4])
    assert "bank persepsi" in body["bill"]["how_to_pay"]


def test_paying_on_the_demo_page_sends_a_signed_callback_and_issues_the_permit(demo):
    case, bill, code = reklame_at_payment()
    visitor = _proven(case.tracking_number, code)
    url = f"/lacak/{case.tracking_number}/bayar-demo/"

    assert "Rp360.000" in visitor.get(url).content.decode()
    response = visitor.post(url)

    assert response.status_code == 302
    issue_requested_documents()
    case.refresh_from_db()
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID and case.status == CaseStatus.APPROVED
    payment = Payment.objects.get()
    assert payment.provider == "demo" and payment.amount == REKLAME_TAX
    assert Callback.objects.get().outcome == CallbackOutcome.ACCEPTED
    page = visitor.get(f"/lacak/{case.tracking_number}/").content.decode()
    assert "Lunas" in page.split('data-testid="bill-status"')[1][:80]


def test_the_demo_page_needs_the_access_code_and_the_demo_provider(demo, settings):
    case, bill, code = reklame_at_payment()
    url = f"/lacak/{case.tracking_number}/bayar-demo/"

    assert Client().post(url).status_code == 404
    settings.LOKET_PAYMENT_DEMO = False
    assert _proven(case.tracking_number, code).post(url).status_code == 404
    bill.refresh_from_db()
    assert bill.status == BillStatus.WAITING


def test_the_service_standard_tells_the_tax_is_paid_before_the_permit(demo, client):
    page = client.get("/layanan/izin-reklame/").content.decode()

    procedure = page.split('data-testid="procedure"')[1].split("</ol>")[0]
    step = procedure.split("Pembayaran pajak reklame")[1].split("</li>")[0]
    assert "Anda (pemohon)" in step
    assert "20 hari kerja" in step
    assert "pajak daerah" in step and "Panjang bidang reklame (m)" in step
    assert "double(" not in step


def test_the_timeline_tells_an_expired_bill_apart_from_a_withdrawal(demo):
    from loket.payments import services
    from tests.payments.conftest import at

    case, _bill, code = reklame_at_payment(at(17))
    services.expire_overdue_bills(now=at(23, month=4))
    visitor = _proven(case.tracking_number, code)

    page = visitor.get(f"/lacak/{case.tracking_number}/").content.decode()

    assert "Tagihan terbit: menunggu pembayaran" in page
    assert "Tagihan tidak dibayar sampai batas waktu" in page
    assert "Permohonan ditutup" in page
    assert "dibatalkan oleh pemohon" not in page.lower()
