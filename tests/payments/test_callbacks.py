"""Provider callbacks through the HTTP API: signature, amount, billing code, idempotency."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from loket.cases.models import CaseEvent, CaseStatus
from loket.ledger.models import LedgerEntry
from loket.notify.models import OutboxMessage
from loket.payments.models import Bill, BillStatus, Callback, CallbackOutcome, Payment
from tests.helpers import issue_requested_documents
from tests.payments.conftest import REKLAME_TAX, callback_body, reklame_at_payment, sign

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/callbacks/bank"


def post(client: Client, body: bytes, signature: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        URL,
        body,
        content_type="application/json",
        headers={"X-Loket-Signature": sign(body) if signature is None else signature},
    )


def test_a_valid_callback_pays_the_bill_and_the_permit_is_issued(demo, client):
    case, bill, _code = reklame_at_payment()
    assert bill.amount == REKLAME_TAX and bill.kind == "pajak"

    response = post(client, callback_body(bill))

    assert response.status_code == 200, response.content
    issue_requested_documents()  # the worker's part after the payment
    assert response.json() == {
        "status": "accepted",
        "billing_code": bill.billing_code,
        "transaction_id": "BPD-20260325-000123",
        "amount": REKLAME_TAX,
    }
    bill.refresh_from_db()
    case.refresh_from_db()
    assert bill.status == BillStatus.PAID
    assert case.status == CaseStatus.APPROVED
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.index("awaiting_payment") < kinds.index("paid") < kinds.index("issued")
    paid = case.events.get(kind="paid")
    assert paid.payload["amount"] == REKLAME_TAX
    assert paid.payload["reference"] == "BPD-20260325-000123"
    entry = LedgerEntry.objects.get(kind="payment.received")
    assert entry.payload["amount"] == REKLAME_TAX
    assert entry.payload["reference"] == "BPD-20260325-000123"
    assert entry.payload["billing_code"] == bill.billing_code
    # Public ledger: no name, NIK, e-mail or tracking number of the applicant.
    assert "Sri" not in entry.canonical and case.tracking_number not in entry.canonical
    assert OutboxMessage.objects.filter(event="payment_received").exists()
    assert Callback.objects.get().outcome == CallbackOutcome.ACCEPTED


def test_a_bad_signature_is_refused_logged_and_changes_nothing(demo, client, caplog):
    case, bill, _code = reklame_at_payment()
    body = callback_body(bill)

    with caplog.at_level(logging.WARNING, logger="loket.payments"):
        response = post(client, body, signature=sign(body, secret="a-guessed-secret"))

    assert response.status_code == 401
    assert response.json()["type"].endswith("/bad_signature")
    bill.refresh_from_db()
    assert bill.status == BillStatus.WAITING
    assert not Payment.objects.exists()
    assert not case.events.filter(kind="paid").exists()
    kept = Callback.objects.get()
    assert kept.outcome == CallbackOutcome.BAD_SIGNATURE and kept.body == body.decode()
    assert "refused (bad_signature)" in caplog.text


def test_an_address_sending_bad_signatures_is_braked_and_stores_no_more(demo, client, settings):
    settings.LOKET_PAYMENT_BAD_SIGNATURES_PER_ADDRESS = 2
    _case, bill, _code = reklame_at_payment()
    body = callback_body(bill)
    for _ in range(2):
        assert post(client, body, signature="sha256=" + "0" * 64).status_code == 401

    braked = post(client, body)

    assert braked.status_code == 429
    assert braked.json()["field"] == "X-Loket-Signature"
    assert Callback.objects.count() == 2
    assert Bill.objects.get().status == BillStatus.WAITING


def test_a_body_changed_after_signing_is_refused(demo, client):
    _case, bill, _code = reklame_at_payment()
    signature = sign(callback_body(bill, amount=1))

    response = post(client, callback_body(bill), signature=signature)

    assert response.status_code == 401
    assert Bill.objects.get().status == BillStatus.WAITING


def test_a_wrong_amount_is_refused_and_logged(demo, client):
    case, bill, _code = reklame_at_payment()

    response = post(client, callback_body(bill, amount=REKLAME_TAX - 1))

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/wrong_amount") and problem["field"] == "amount"
    assert Bill.objects.get().status == BillStatus.WAITING
    assert Callback.objects.get().outcome == CallbackOutcome.WRONG_AMOUNT
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_PAYMENT


def test_a_replayed_transaction_id_is_refused_and_takes_effect_once(demo, client):
    case, bill, _code = reklame_at_payment()
    body = callback_body(bill)

    first, second = post(client, body), post(client, body)

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["type"].endswith("/duplicate_transaction")
    assert Payment.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, kind="paid").count() == 1
    assert LedgerEntry.objects.filter(kind="payment.received").count() == 1
    assert list(Callback.objects.order_by("pk").values_list("outcome", flat=True)) == [
        CallbackOutcome.ACCEPTED,
        CallbackOutcome.REPLAYED,
    ]


def test_a_second_transaction_for_a_paid_bill_is_refused(demo, client):
    _case, bill, _code = reklame_at_payment()
    assert post(client, callback_body(bill)).status_code == 200

    again = post(client, callback_body(bill, transaction_id="BPD-20260325-000999"))

    assert again.status_code == 409
    assert again.json()["type"].endswith("/bill_not_payable")
    assert Payment.objects.count() == 1


def test_an_unknown_billing_code_is_404_and_kept(demo, client):
    _case, bill, _code = reklame_at_payment()

    response = post(client, callback_body(bill, billing_code="1234567890"))

    assert response.status_code == 404
    assert response.json()["field"] == "billing_code"
    assert Callback.objects.get().outcome == CallbackOutcome.UNKNOWN_BILL


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"amount": "360000"}, "amount"),
        ({"amount": 360000.0}, "amount"),
        ({"paid_at": "2026-03-25T10:00:00"}, "paid_at"),
        ({"transaction_id": ""}, "transaction_id"),
        ({"billing_code": "99-01"}, "billing_code"),
    ],
)
def test_a_malformed_body_is_422_naming_the_field(demo, client, override, field):
    _case, bill, _code = reklame_at_payment()

    response = post(client, callback_body(bill, **override))

    assert response.status_code == 422
    assert response.json()["field"] == field
    assert Callback.objects.get().outcome == CallbackOutcome.MALFORMED


def test_a_body_that_is_not_json_is_422(demo, client):
    response = post(client, b"amount=360000")
    assert response.status_code == 422
    assert response.json()["field"] == "body"


def test_the_bank_provider_is_off_without_a_secret(demo, client, settings):
    _case, bill, _code = reklame_at_payment()
    settings.LOKET_PAYMENT_BANK_SECRET = ""

    body = callback_body(bill)
    response = post(client, body, signature=sign(body, secret=""))

    assert response.status_code == 404
    assert Bill.objects.get().status == BillStatus.WAITING


def test_an_unknown_provider_is_404(demo, client):
    response = client.post(
        "/api/v1/payments/callbacks/paypal", b"{}", content_type="application/json"
    )
    assert response.status_code == 404


def test_a_withdrawn_application_cancels_its_bill_and_a_later_payment_is_refused(demo, client):
    from loket.cases import services

    case, bill, _code = reklame_at_payment()
    services.cancel(case_id=case.pk, reason="Tidak jadi memasang reklame.")

    response = post(client, callback_body(bill))

    assert Bill.objects.get().status == BillStatus.CANCELLED
    assert response.status_code == 409
    assert Callback.objects.get().outcome == CallbackOutcome.NOT_PAYABLE


def test_an_oversized_body_is_refused_and_only_its_start_is_kept(demo, client):
    body = b'{"pad": "' + b"x" * 20_000 + b'"}'

    response = post(client, body)

    assert response.status_code == 422
    assert response.json()["field"] == "body"
    kept = Callback.objects.get()
    assert kept.outcome == CallbackOutcome.MALFORMED and len(kept.body) == 4_000
