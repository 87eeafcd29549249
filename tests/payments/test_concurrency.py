"""Two callbacks for one bill at the same moment (threads, each with its own connection)."""

from __future__ import annotations

import pytest

from loket.cases.models import CaseEvent, CaseStatus
from loket.core.errors import ConflictError
from loket.ledger.models import LedgerEntry
from loket.payments import services
from loket.payments.models import BillStatus, Payment
from tests.cases.test_concurrency import _race
from tests.helpers import issue_requested_documents
from tests.payments.conftest import callback_body, reklame_at_payment, sign

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def _pay(body: bytes) -> services.Receipt:
    return services.receive_callback(provider_code="bank", body=body, signature=sign(body))


@pytest.mark.parametrize("same_transaction", [True, False], ids=["retry", "two-payments"])
def test_two_callbacks_for_one_bill_at_once_take_effect_exactly_once(demo, same_transaction):
    case, bill, _code = reklame_at_payment()
    first = callback_body(bill, transaction_id="BPD-A")
    second = first if same_transaction else callback_body(bill, transaction_id="BPD-B")

    results = _race(lambda: _pay(first), lambda: _pay(second))

    wins = [r for r in results if isinstance(r, services.Receipt)]
    refusals = [r for r in results if isinstance(r, ConflictError)]
    assert len(wins) == 1 and len(refusals) == 1, results
    expected = "duplicate_transaction" if same_transaction else "bill_not_payable"
    assert refusals[0].code == expected
    assert Payment.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, kind="paid").count() == 1
    issue_requested_documents()
    assert CaseEvent.objects.filter(case=case, kind="issued").count() == 1
    assert LedgerEntry.objects.filter(kind="payment.received").count() == 1
    bill.refresh_from_db()
    case.refresh_from_db()
    assert bill.status == BillStatus.PAID and case.status == CaseStatus.APPROVED


def test_a_callback_racing_the_expiry_job_either_pays_or_expires(demo):
    from tests.payments.conftest import at

    case, bill, _code = reklame_at_payment(at(17))
    body = callback_body(bill)
    # The callback just before the due moment, the expiry job just after it.
    results = _race(
        lambda: services.receive_callback(
            provider_code="bank", body=body, signature=sign(body), now=bill.due_at
        ),
        lambda: services.expire_overdue_bills(now=at(22, hour=11, month=4)),
    )

    issue_requested_documents()  # a paid case's licence comes from the worker
    bill.refresh_from_db()
    case.refresh_from_db()
    if isinstance(results[0], services.Receipt):
        assert results[1] == 0
        assert bill.status == BillStatus.PAID and case.status == CaseStatus.APPROVED
    else:
        assert isinstance(results[0], ConflictError) and results[1] == 1
        assert bill.status == BillStatus.EXPIRED and case.status == CaseStatus.CANCELLED
    assert CaseEvent.objects.filter(case=case, kind="closed").count() == 1
