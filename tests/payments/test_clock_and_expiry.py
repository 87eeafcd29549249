"""The payment pause across the 2026 holidays and cuti bersama, and bills that lapse."""

from __future__ import annotations

import pytest

from loket.calendar.workingtime import add_working_days
from loket.cases.models import CaseStatus
from loket.core.errors import ConflictError
from loket.notify.models import OutboxMessage
from loket.payments import services
from loket.payments.models import Bill, BillStatus, Callback, CallbackOutcome
from tests.helpers import issue_requested_documents
from tests.payments.conftest import (
    at,
    callback_body,
    reklame_approved,
    reklame_at_payment,
    sign,
)

pytestmark = pytest.mark.django_db


def test_the_bill_is_due_in_working_days_skipping_nyepi_idulfitri_and_cuti_bersama(demo):
    # Approved Tue 17 Mar 2026 10:00; 18–24 Mar are cuti bersama, Nyepi, Idulfitri and a
    # weekend, 3 Apr is Good Friday: 20 working days end on Wed 22 Apr 10:00.
    case, bill, _code = reklame_at_payment(at(17))

    assert bill.due_at == at(22, month=4)
    assert case.status == CaseStatus.AWAITING_PAYMENT
    assert case.paused_at == at(17)
    assert case.current_steps == ["pembayaran-pajak"]
    assert bill.assessment_number == "SKPD/0001/REK/BAPENDA/2026"
    # The SKPD is fixed by the Bapenda analyst who approved the tax review.
    assert bill.assessed_position == "analis-pajak-daerah"
    assert bill.assessed_by is not None and bill.assessed_by.user.username == "maya"


def test_the_service_clock_stops_while_the_applicant_pays_across_the_holidays(demo):
    case, bill, _code = reklame_at_payment(at(17))
    due_before = case.due_at
    assert due_before is not None

    # Paid on Wed 25 Mar 10:00, the first working day after the break: of the eight
    # calendar days the bill waited, one working day passed, and only that one is
    # given back to the service (not the holidays, which never counted).
    body = callback_body(bill)
    services.receive_callback(provider_code="bank", body=body, signature=sign(body), now=at(25))
    issue_requested_documents()

    case.refresh_from_db()
    assert case.paused_at is None
    assert case.events.filter(kind="paid").get().at == at(25)
    assert case.due_at is not None
    assert case.due_at == add_working_days(case.agency, due_before, 1)
    assert case.status == CaseStatus.APPROVED  # paid, then the permit was issued


def test_an_unpaid_bill_expires_after_its_due_date_and_the_case_closes_as_defined(demo):
    case, bill, _code = reklame_at_payment(at(17))

    assert services.expire_overdue_bills(now=at(22, hour=9, month=4)) == 0
    assert services.expire_overdue_bills(now=at(22, hour=11, month=4)) == 1

    bill.refresh_from_db()
    case.refresh_from_db()
    assert bill.status == BillStatus.EXPIRED
    assert case.status == CaseStatus.CANCELLED
    closed = case.events.get(kind="closed")
    assert closed.step_id == "tidak-dibayar"
    assert bill.billing_code in closed.reason
    assert case.events.filter(kind="payment_expired").exists()
    events = list(OutboxMessage.objects.values_list("event", flat=True))
    assert "bill_expired" in events and "cancelled" not in events
    assert services.expire_overdue_bills(now=at(23, month=4)) == 0


def test_a_payment_after_the_due_date_is_refused_and_kept(demo):
    _case, bill, _code = reklame_at_payment(at(17))
    body = callback_body(bill)

    with pytest.raises(ConflictError) as refused:
        services.receive_callback(
            provider_code="bank", body=body, signature=sign(body), now=at(23, month=4)
        )

    assert refused.value.code == "bill_not_payable"
    assert Callback.objects.get().outcome == CallbackOutcome.NOT_PAYABLE
    bill.refresh_from_db()
    assert bill.status == BillStatus.WAITING  # the expiry job closes it, once


def test_the_bill_is_announced_through_the_outbox(demo):
    _case, bill, _code = reklame_at_payment(at(17))

    message = OutboxMessage.objects.filter(event="bill_issued", channel="email").get()
    assert bill.billing_code in message.body
    assert "Rp360.000" in message.body
    assert "22 April 2026" in message.body


_TAX_EXPRESSION = (
    "      expression: >-\n"
    "        double(tables.kelas_lokasi.tarif_per_m2_bulan) * data.panjang_m * data.lebar_m\n"
    "        * double(data.jumlah_sisi) * double(data.durasi_bulan)\n"
)


def _publish_reklame_variant(*changes: tuple[str, str]) -> None:
    from django.conf import settings

    from loket.catalog.services import publish_text

    text = (settings.LOKET_SERVICES_DIR / "izin-reklame.yaml").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    publish_text(text)


def test_a_fixed_retribusi_is_billed_as_written(demo):
    _publish_reklame_variant(
        ("    payment_kind: pajak\n", "    payment_kind: retribusi\n"),
        (_TAX_EXPRESSION, "      rupiah: 50000\n"),
    )

    _case, bill, _code = reklame_at_payment(at(17))

    assert bill.kind == "retribusi" and bill.amount == 50_000


def test_an_amount_of_nothing_skips_the_payment_step(demo):
    _publish_reklame_variant(
        (_TAX_EXPRESSION, "      expression: 0.0 * double(data.durasi_bulan)\n")
    )

    case, _code = reklame_approved(at(17))
    issue_requested_documents()
    case.refresh_from_db()

    assert not Bill.objects.exists()
    assert case.status == CaseStatus.APPROVED
    assert case.events.filter(kind="payment_not_required").exists()
