"""Payment callbacks from providers, and the bill as the API shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.params import Path

from loket.api.responses import problems
from loket.core import ratelimit
from loket.core.errors import RateLimited
from loket.payments import selectors, services
from loket.payments.models import Bill, BillStatus, PaymentKind
from loket.payments.providers import SIGNATURE_HEADER, SignatureError

router = Router(tags=["payments"])


class BillOut(Schema):
    payment_kind: str
    payment_kind_label: str
    amount: int
    billing_code: str
    assessment_number: str
    assessment_type: str
    status: str
    status_label: str
    issued_at: dt.datetime
    due_at: dt.datetime
    settled_at: dt.datetime | None
    how_to_pay: str


class CallbackOut(Schema):
    status: str
    billing_code: str
    transaction_id: str
    amount: int


def bill_out(case: Any, language: str) -> BillOut | None:
    bill: Bill | None = selectors.bill_of_case(case)
    if bill is None:
        return None
    with translation.override(language):  # labels in the applicant's language
        return _bill_out(case, bill, language)


def _bill_out(case: Any, bill: Bill, language: str) -> BillOut:
    return BillOut(
        payment_kind=bill.kind,
        payment_kind_label=str(PaymentKind(bill.kind).label),
        amount=bill.amount,
        billing_code=bill.billing_code,
        assessment_number=bill.assessment_number,
        assessment_type=bill.assessment_type,
        status=bill.status,
        status_label=str(BillStatus(bill.status).label),
        issued_at=bill.issued_at,
        due_at=bill.due_at,
        settled_at=bill.settled_at,
        how_to_pay=selectors.instructions(case, bill, language),
    )


BAD_SIGNATURES = "payment.bad-signature"
BAD_SIGNATURE_WINDOW_SECONDS = 15 * 60


@router.post(
    "/callbacks/{provider}",
    auth=None,
    response={200: CallbackOut},
    summary="A provider reports a payment",
    description=(
        "The body is JSON (transaction_id, billing_code, amount, paid_at, channel), signed "
        f"with HMAC-SHA256 over the raw body in the {SIGNATURE_HEADER} header as "
        "`sha256=<hex>`. Refused: 401 bad signature, 404 unknown billing code, 409 "
        "transaction already recorded or bill not payable, 422 malformed or wrong amount, "
        "429 after too many bad signatures from one address. See docs/payments.md."
    ),
    openapi_extra=problems(
        401,
        404,
        409,
        422,
        429,
        extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    ),
)
def callback(request: HttpRequest, provider: str = Path(..., max_length=40)) -> CallbackOut:
    # Every refused callback is stored for the record: an address that keeps sending
    # bad signatures is guessing the secret or filling the table, so it is braked.
    client = ratelimit.client_address(request)
    if ratelimit.is_over(BAD_SIGNATURES, client, settings.LOKET_PAYMENT_BAD_SIGNATURES_PER_ADDRESS):
        raise RateLimited(
            _("Too many callbacks with a bad signature from this address; try again later."),
            field=SIGNATURE_HEADER,
        )
    try:
        receipt = services.receive_callback(
            provider_code=provider,
            body=request.body,
            signature=request.headers.get(SIGNATURE_HEADER, ""),
        )
    except SignatureError:
        ratelimit.hit(BAD_SIGNATURES, client, window_seconds=BAD_SIGNATURE_WINDOW_SECONDS)
        raise
    return CallbackOut(
        status="accepted",
        billing_code=receipt.bill.billing_code,
        transaction_id=receipt.payment.transaction_id,
        amount=receipt.payment.amount,
    )
