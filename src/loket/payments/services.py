"""Operations on bills: a provider's callback settles one, time expires one.

Each runs in one transaction that locks the case first (as every case operation
does), then the bill, so a callback, a second callback and the expiry job cannot
both take effect. A refused callback is kept (``Callback``) and logged after its
transaction is rolled back: nothing a provider sends is lost.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import services as case_services
from loket.core.errors import ConflictError, LoketError, NotFound, ValidationError
from loket.ledger.services import append as ledger_append
from loket.payments.models import Bill, BillStatus, Callback, CallbackOutcome, Payment
from loket.payments.providers import DemoProvider, Notice, Provider, SignatureError, provider

log = logging.getLogger("loket.payments")
# A payment notice is a few hundred bytes; anything far larger is not one, and what
# is kept of a refused callback stays small (the route needs no sign-in).
MAX_BODY_BYTES = 16_384
KEPT_BODY_BYTES = 4_000

_OUTCOMES = {
    "bad_signature": CallbackOutcome.BAD_SIGNATURE,
    "unknown_bill": CallbackOutcome.UNKNOWN_BILL,
    "wrong_amount": CallbackOutcome.WRONG_AMOUNT,
    "duplicate_transaction": CallbackOutcome.REPLAYED,
    "bill_not_payable": CallbackOutcome.NOT_PAYABLE,
}


@dataclass(frozen=True)
class Receipt:
    payment: Payment
    bill: Bill


def receive_callback(
    *, provider_code: str, body: bytes, signature: str, now: dt.datetime | None = None
) -> Receipt:
    """Verify a provider's callback and settle the bill it names, once.

    Refused with SignatureError (401) for a bad signature, ValidationError (422)
    for a malformed body or a wrong amount, NotFound (404) for an unknown billing
    code, ConflictError (409) for a transaction id already recorded or a bill no
    longer waiting. Idempotent on (provider, transaction id).
    """
    now = now or timezone.now()
    chosen = provider(provider_code)
    notice: Notice | None = None
    try:
        if len(body) > MAX_BODY_BYTES:
            raise ValidationError(
                _("The body is larger than %(n)d bytes.") % {"n": MAX_BODY_BYTES}, field="body"
            )
        chosen.verify(body, signature)
        notice = chosen.parse(body)
        return _settle(chosen, notice, body=body, signature=signature, now=now)
    except LoketError as exc:
        _refused(chosen, exc, notice, body=body, signature=signature, now=now)
        raise


def _refused(
    chosen: Provider,
    exc: LoketError,
    notice: Notice | None,
    *,
    body: bytes,
    signature: str,
    now: dt.datetime,
) -> None:
    outcome = _OUTCOMES.get(exc.code, CallbackOutcome.MALFORMED)
    if isinstance(exc, SignatureError):
        outcome = CallbackOutcome.BAD_SIGNATURE
    Callback.objects.create(
        provider=chosen.code,
        received_at=now,
        body=body[:KEPT_BODY_BYTES].decode("utf-8", errors="replace"),
        signature=signature[:200],
        transaction_id=notice.transaction_id if notice else "",
        billing_code=notice.billing_code if notice else "",
        outcome=outcome,
        detail=exc.message[:300],
    )
    log.warning(
        "payment callback from %s refused (%s): transaction %s, billing code %s",
        chosen.code,
        outcome,
        notice.transaction_id if notice else "-",
        notice.billing_code if notice else "-",
    )


@transaction.atomic
def _settle(
    chosen: Provider, notice: Notice, *, body: bytes, signature: str, now: dt.datetime
) -> Receipt:
    found = Bill.objects.filter(billing_code=notice.billing_code).values_list("pk", "case_id")
    if not found:
        raise NotFound(_("There is no bill with this billing code."), field="billing_code",
                       code="unknown_bill")  # fmt: skip
    bill_id, case_id = found[0]
    case = case_services.lock_case(case_id=case_id)
    bill = Bill.objects.select_for_update(no_key=True).get(pk=bill_id)
    if Payment.objects.filter(provider=chosen.code, transaction_id=notice.transaction_id).exists():
        raise ConflictError(
            _("Transaction %(id)s was already recorded; nothing changed.")
            % {"id": notice.transaction_id},
            field="transaction_id",
            code="duplicate_transaction",
        )
    if bill.status != BillStatus.WAITING or now > bill.due_at:
        raise ConflictError(
            _("The bill is not payable (%(status)s).")
            % {"status": BillStatus(bill.status).label if now <= bill.due_at else _("past due")},
            field="billing_code",
            code="bill_not_payable",
        )
    if notice.amount != bill.amount:
        raise ValidationError(
            _("amount %(paid)d does not equal the bill's %(owed)d rupiah.")
            % {"paid": notice.amount, "owed": bill.amount},
            field="amount",
            code="wrong_amount",
        )
    payment = Payment.objects.create(
        bill=bill,
        provider=chosen.code,
        transaction_id=notice.transaction_id,
        amount=notice.amount,
        paid_at=notice.paid_at,
        recorded_at=now,
        channel=notice.channel,
    )
    bill.status = BillStatus.PAID
    bill.settled_at = now
    bill.save(update_fields=["status", "settled_at"])
    case_services.settle_payment(
        case=case,
        step_id=bill.step_id,
        amount=bill.amount,
        billing_code=bill.billing_code,
        provider=chosen.code,
        reference=notice.transaction_id,
        now=now,
    )
    # The amount and the provider's reference in the clear: public money, no personal data.
    ledger_append(
        kind="payment.received",
        payload={
            "service": case.service.code,
            "payment_kind": bill.kind,
            "billing_code": bill.billing_code,
            "assessment_number": bill.assessment_number,
            "amount": bill.amount,
            "provider": chosen.code,
            "reference": notice.transaction_id,
            "paid_at": notice.paid_at.isoformat(),
            "recorded_at": now.isoformat(),
        },
    )
    Callback.objects.create(
        provider=chosen.code,
        received_at=now,
        body=body.decode("utf-8", errors="replace"),
        signature=signature[:200],
        transaction_id=notice.transaction_id,
        billing_code=notice.billing_code,
        outcome=CallbackOutcome.ACCEPTED,
    )
    return Receipt(payment=payment, bill=bill)


def expire_overdue_bills(*, now: dt.datetime | None = None) -> int:
    """Expire every bill still waiting after its due moment and close its case as the
    payment step's `on_expire` says. One transaction per bill, so one broken case
    does not hold up the others. Returns how many bills expired."""
    now = now or timezone.now()
    overdue = Bill.objects.filter(status=BillStatus.WAITING, due_at__lt=now).values_list(
        "pk", "case_id"
    )
    expired = 0
    for bill_id, case_id in list(overdue):
        try:
            expired += _expire(bill_id, case_id, now)
        except Exception:
            log.exception("expiring bill %s failed", bill_id)
    return expired


@transaction.atomic
def _expire(bill_id: int, case_id: int, now: dt.datetime) -> int:
    case = case_services.lock_case(case_id=case_id)
    bill = Bill.objects.select_for_update(no_key=True).get(pk=bill_id)
    if bill.status != BillStatus.WAITING or bill.due_at >= now:
        return 0  # paid (or cancelled) while we were waiting for the lock
    bill.status = BillStatus.EXPIRED
    bill.settled_at = now
    bill.save(update_fields=["status", "settled_at"])
    case_services.expire_payment(
        case=case, step_id=bill.step_id, billing_code=bill.billing_code, now=now
    )
    return 1


def pay_in_demo(*, billing_code: str, now: dt.datetime | None = None) -> Receipt:
    """What the demo's "pay" button does: sign the callback a bank would send and put it
    through `receive_callback`, so the demo exercises every check a real payment meets."""
    now = now or timezone.now()
    provider(DemoProvider.code)  # NotFound unless the demo provider is enabled
    demo = DemoProvider()
    bill = Bill.objects.filter(billing_code=billing_code).first()
    amount = bill.amount if bill is not None else 0
    body = json.dumps(
        {
            "transaction_id": f"DEMO-{secrets.token_hex(8).upper()}",
            "billing_code": billing_code,
            "amount": amount,
            "paid_at": timezone.localtime(now).isoformat(),
            "channel": "demo",
        }
    ).encode()
    return receive_callback(provider_code=demo.code, body=body, signature=demo.sign(body), now=now)
