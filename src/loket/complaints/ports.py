"""The complaints module's seams to the engine's pieces: org, calendar, cases, ledger, outbox."""

from __future__ import annotations

from typing import Any

from loket.calendar.workingtime import add_working_days, add_working_time, working_time_between
from loket.cases.numbers import (
    check_access_code,
    hash_access_code,
    new_access_code,
    next_sequence,
    tracking_number,
)
from loket.cases.selectors import case_by_tracking_number
from loket.cases.tracking import note_complaint
from loket.catalog.selectors import service_by_code
from loket.documents.services import store_upload
from loket.ledger.services import append
from loket.notify.services import enqueue as enqueue_notification
from loket.org.selectors import holders_at, holdings_of, may_act, superior_of

__all__ = [
    "add_working_days",
    "add_working_time",
    "case_by_tracking_number",
    "check_access_code",
    "enqueue_notification",
    "hash_access_code",
    "holders_at",
    "holdings_of",
    "ledger_append",
    "may_act",
    "new_access_code",
    "next_sequence",
    "note_complaint",
    "service_by_code",
    "store_upload",
    "superior_of",
    "tracking_number",
    "working_time_between",
]


def ledger_append(payload: dict[str, Any]) -> Any:
    return append(kind="complaint.event", payload=payload)
