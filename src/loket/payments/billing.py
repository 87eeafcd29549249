"""Opening and cancelling bills: the seam the case engine calls (through cases.ports).

This module imports nothing from the case engine, so the engine can import it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from loket.payments.models import AssessmentSequence, Bill, BillStatus

# Random digits after the step's prefix, then one Luhn check digit: a mistyped
# code is caught at the bank's counter before any money moves.
RANDOM_DIGITS = 12


def luhn_digit(digits: str) -> str:
    """The Luhn (mod 10) check digit for a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def is_valid_billing_code(code: str) -> bool:
    return code.isdigit() and len(code) >= 2 and luhn_digit(code[:-1]) == code[-1]


def new_billing_code(prefix: str) -> str:
    body = prefix + "".join(secrets.choice("0123456789") for _ in range(RANDOM_DIGITS))
    return body + luhn_digit(body)


def open_bill(
    *, case: Any, step: Mapping[str, Any], amount: int, due_at: dt.datetime, now: dt.datetime
) -> Bill:
    """Create the bill of a payment step, in the caller's (the engine's) transaction."""
    assessment = step.get("assessment") or {}
    number = ""
    if assessment.get("number_pattern"):
        year = timezone.localtime(now).year
        sequence = _next_sequence(f"{case.service.code}:{step['id']}", year)
        number = _number(str(assessment["number_pattern"]), sequence, now)
    document_type = assessment.get("document_type") or {}
    assessor = _assessor(case, assessment.get("assessed_in"))
    for _attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: a (very unlikely) code collision retries
                return Bill.objects.create(
                    case=case,
                    step_id=step["id"],
                    kind=step["payment_kind"],
                    amount=amount,
                    billing_code=new_billing_code(str(step.get("billing_prefix") or "")),
                    assessment_number=number,
                    assessment_type=str(document_type.get("id", ""))[:200],
                    assessed_by=assessor.decided_by if assessor else None,
                    assessed_position=assessor.position.code if assessor else "",
                    issued_at=now,
                    due_at=due_at,
                )
        except IntegrityError:
            continue
    raise RuntimeError("could not draw an unused billing code")


def _assessor(case: Any, step_id: str | None) -> Any:
    """The latest approval of the assessing step (a Task), if the step names one."""
    if not step_id:
        return None
    return (
        case.tasks.filter(step_id=step_id, decision="approve")
        .select_related("decided_by", "position")
        .order_by("-decided_at")
        .first()
    )


def cancel_open_bills(*, case: Any, now: dt.datetime) -> int:
    """Cancel what a closing case still owes (withdrawn, rejected): nothing stays payable."""
    return Bill.objects.filter(case=case, status=BillStatus.WAITING).update(
        status=BillStatus.CANCELLED, settled_at=now
    )


def _next_sequence(scope: str, year: int) -> int:
    AssessmentSequence.objects.bulk_create(
        [AssessmentSequence(scope=scope, year=year, last=0)], ignore_conflicts=True
    )
    row = AssessmentSequence.objects.select_for_update().get(scope=scope, year=year)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def _number(pattern: str, sequence: int, now: dt.datetime) -> str:
    local = timezone.localtime(now)
    return (
        pattern.replace("{seq}", f"{sequence:04d}")
        .replace("{year}", str(local.year))
        .replace("{month}", f"{local.month:02d}")
    )
