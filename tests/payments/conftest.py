"""An izin-reklame application brought to its tax payment step, and signed callbacks."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pytest
from django.utils import timezone

from loket.cases import services
from loket.cases.intake import Applicant
from loket.cases.models import Case
from loket.payments.models import Bill
from tests.cases.conftest import NIK, fast_passwords, officer  # noqa: F401
from tests.cases.test_end_to_end import SERVICES

BANK_SECRET = "rahasia-bank-persepsi-uji"
# Class B (kolektor) Rp15.000 per m² per month × 4 m × 2 m × 1 face × 3 months.
REKLAME_TAX = 360_000


def at(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour, 0))


@pytest.fixture(autouse=True)
def bank_secret(settings: Any) -> None:
    settings.LOKET_PAYMENT_BANK_SECRET = BANK_SECRET
    settings.LOKET_PAYMENT_DEMO = True


def reklame_at_payment(approved_at: dt.datetime | None = None) -> tuple[Case, Bill, str]:
    case, access_code = reklame_approved(approved_at)
    return case, Bill.objects.get(case=case), access_code


def reklame_approved(approved_at: dt.datetime | None = None) -> tuple[Case, str]:
    """Submit and let every officer approve at `approved_at` (default: now, so the bill
    is due in the future for the HTTP callbacks, which take the wall clock);
    with a moment, submitted on Mon 16 Mar 2026 09:00. Returns (case, access code)."""
    spec = SERVICES["izin-reklame"]
    submission = services.submit(
        service_code="izin-reklame",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data=spec["data"],
        documents=spec["documents"](),
        now=at(16, 9) if approved_at else None,
    )
    case = submission.case
    for step, username in spec["officers"]:
        task = case.tasks.get(step_id=step, status="open")
        services.decide(
            task_id=task.pk, officer=officer(username), decision="approve", now=approved_at
        )
    case.refresh_from_db()
    return case, submission.access_code


def callback_body(bill: Bill, **overrides: Any) -> bytes:
    body: dict[str, Any] = {
        "transaction_id": "BPD-20260325-000123",
        "billing_code": bill.billing_code,
        "amount": bill.amount,
        "paid_at": "2026-03-25T10:00:00+07:00",
        "channel": "teller",
    }
    body.update(overrides)
    return json.dumps(body).encode()


def sign(body: bytes, secret: str = BANK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
