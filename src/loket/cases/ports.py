"""The engine's seams to the other apps.

Every call the case engine makes into org, calendar, catalog, ledger, notify
and documents goes through here, so its dependencies are listed in one place
and a test can replace one seam (e.g. make the outbox fail) without reaching
into another app.
"""

from __future__ import annotations

from typing import Any

from loket.calendar.workingtime import (
    add_working_days,
    add_working_hours,
    add_working_time,
    working_time_between,
)
from loket.catalog.errors import RuleError
from loket.catalog.rules import build_context, evaluate, evaluate_condition, rupiah_of
from loket.catalog.rules import fee_for as _fee_for
from loket.catalog.selectors import current_version, service_by_code, submission_target
from loket.documents import issuing as document_issuing
from loket.documents.services import (
    CheckedUpload,
    check_upload,
    store_checked,
    store_upload,
    verification_url,
)
from loket.ledger.commitments import commit, derived_salt, pseudonym
from loket.ledger.models import LedgerEntry
from loket.ledger.services import append, lock_for_append
from loket.notify.services import enqueue
from loket.org.selectors import (
    head_of_unit,
    holders_at,
    holdings_of,
    may_act,
    may_act_with,
    position_by_code,
    superior_of,
)
from loket.payments.billing import cancel_open_bills, open_bill
from loket.surveys.services import invite_for_closed_case

__all__ = [
    "CheckedUpload",
    "add_working_days",
    "add_working_hours",
    "add_working_time",
    "build_context",
    "cancel_open_bills",
    "check_upload",
    "current_version",
    "document_issuing",
    "enqueue_notification",
    "evaluate",
    "evaluate_condition",
    "fee_for",
    "head_of_unit",
    "holders_at",
    "holdings_of",
    "ledger_append",
    "ledger_commit",
    "ledger_derived_salt",
    "ledger_lock",
    "ledger_pseudonym",
    "may_act",
    "may_act_with",
    "open_bill",
    "position_by_code",
    "request_issue",
    "rule_errors",
    "rupiah_of",
    "service_by_code",
    "store_checked",
    "store_upload",
    "submission_target",
    "superior_of",
    "survey_link",
    "verification_url",
    "working_time_between",
]

# Names the engine uses for them.
ledger_lock = lock_for_append
ledger_commit = commit
ledger_derived_salt = derived_salt
ledger_pseudonym = pseudonym
enqueue_notification = enqueue
fee_for = _fee_for
survey_link = invite_for_closed_case
request_issue = document_issuing.request_issue


def publish_webhook(*, agency_id: int, event_type: str, data: dict[str, Any]) -> None:
    """Integrations' webhooks for a case event (delivered from the outbox after commit)."""
    from loket.notify.webhooks import publish

    publish(agency_id=agency_id, event_type=event_type, data=data)


def ledger_append(kind: str, payload: dict[str, Any]) -> LedgerEntry:
    return append(kind=kind, payload=payload)


def rule_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a rule evaluation raises for a rule that cannot be evaluated."""
    return (RuleError,)
