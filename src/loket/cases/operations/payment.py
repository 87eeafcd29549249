"""The engine's side of payments: the payments app locks, settles and expires."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from loket.cases.flow import Run
from loket.cases.models import (
    Case,
    CaseEvent,
)


@transaction.atomic
def settle_payment(
    *,
    case: Case,
    step_id: str,
    amount: int,
    billing_code: str,
    provider: str,
    reference: str,
    now: dt.datetime,
) -> CaseEvent:
    """Record that the bill of the payment step `step_id` is paid and move the case on.

    `case` must come from `lock_case` in the caller's transaction. Raises
    ConflictError when the case is not waiting for that payment.
    """
    return Run(case=case, now=now).payment_received(
        step_id=step_id,
        amount=amount,
        billing_code=billing_code,
        provider=provider,
        reference=reference,
    )


@transaction.atomic
def expire_payment(*, case: Case, step_id: str, billing_code: str, now: dt.datetime) -> CaseEvent:
    """Close a case whose bill lapsed unpaid, as its payment step's `on_expire` says.

    `case` must come from `lock_case` in the caller's transaction.
    """
    return Run(case=case, now=now).payment_expired(step_id=step_id, billing_code=billing_code)
