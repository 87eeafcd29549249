"""The engine's seams to the other apps.

Every call the case engine makes into another app goes through here, so its
dependencies are listed in one place and a test can replace one seam (e.g. make
the outbox fail) without reaching into another app.

Two kinds of seam (docs/decisions/0013-ports-and-one-way-dependencies.md):

- apps below the engine (org, calendar, catalog, ledger, notify) are imported here;
- apps above it, which build on cases (documents: uploads and the certificate;
  payments: bills; surveys: the closing survey link), are never imported by the
  engine: each one *provides* its functions here when Django starts
  (`provide(...)` in its `AppConfig.ready`), so no import cycle ties them together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

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
from loket.ledger.commitments import commit, derived_salt, pseudonym
from loket.ledger.services import enqueue as _ledger_enqueue
from loket.ledger.services import lock_for_append
from loket.notify.services import enqueue
from loket.org.selectors import (
    authority_statement,
    head_of_unit,
    holders_at,
    holdings_of,
    may_act,
    may_act_with,
    position_by_code,
    superior_of,
)

__all__ = [
    "CheckedUpload",
    "add_working_days",
    "add_working_hours",
    "add_working_time",
    "authority_statement",
    "build_context",
    "cancel_open_bills",
    "check_upload",
    "current_version",
    "discard_written",
    "enqueue_notification",
    "evaluate",
    "evaluate_condition",
    "fee_for",
    "head_of_unit",
    "holders_at",
    "holdings_of",
    "ledger_commit",
    "ledger_derived_salt",
    "ledger_enqueue",
    "ledger_lock",
    "ledger_pseudonym",
    "may_act",
    "may_act_with",
    "open_bill",
    "position_by_code",
    "provide",
    "record_stored",
    "request_issue",
    "rule_errors",
    "rupiah_of",
    "service_by_code",
    "store_upload",
    "submission_target",
    "superior_of",
    "survey_link",
    "verification_url",
    "working_time_between",
    "write_checked",
]

# Names the engine uses for them.
ledger_lock = lock_for_append
ledger_commit = commit
ledger_derived_salt = derived_salt
ledger_pseudonym = pseudonym
enqueue_notification = enqueue
fee_for = _fee_for


def publish_webhook(*, agency_id: int, event_type: str, data: dict[str, Any]) -> None:
    """Integrations' webhooks for a case event (delivered from the outbox after commit)."""
    from loket.notify.webhooks import publish

    publish(agency_id=agency_id, event_type=event_type, data=data)


def any_webhook_subscription_sql(connection: Any, agency_column: str) -> str:
    """SQL true when that agency has an active webhook subscription (notify.webhooks)."""
    from loket.notify.webhooks import any_subscription_sql

    return any_subscription_sql(connection, agency_column)


def ledger_enqueue(entries: list[tuple[str, dict[str, Any]]]) -> None:
    """Queue public facts for the ledger in the step's transaction (ADR 0022)."""
    _ledger_enqueue(entries)


def rule_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a rule evaluation raises for a rule that cannot be evaluated."""
    return (RuleError,)


# -- apps above the engine: provided at start-up, never imported -----------------------

# The functions each upper app provides, by name: a provider may give only these.
UPPER_PORTS = frozenset(
    {
        "check_upload",  # documents
        "write_checked",
        "record_stored",
        "discard_written",
        "store_upload",
        "issue_certificate",
        "request_issue",
        "verification_url",
        "open_bill",  # payments
        "cancel_open_bills",
        "survey_link",  # surveys
    }
)
_provided: dict[str, Callable[..., Any]] = {}


class CheckedUpload(Protocol):
    """An upload that passed every check (documents' CheckedUpload), not yet stored."""

    inspected: Any  # what the checks found (sha256, type, size)

    def close(self) -> None: ...


def provide(**implementations: Callable[..., Any]) -> None:
    """Called by an app above the engine, in its AppConfig.ready(), to plug in its side."""
    unknown = set(implementations) - UPPER_PORTS
    if unknown:
        raise ImproperlyConfigured(f"cases.ports has no port named {sorted(unknown)}")
    _provided.update(implementations)


def _upper(name: str) -> Callable[..., Any]:
    try:
        return _provided[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"No installed app provides the engine's port {name!r}: "
            "are loket.documents, loket.payments and loket.surveys in INSTALLED_APPS?"
        ) from None


def check_upload(**kwargs: Any) -> CheckedUpload:
    """Inspect an upload before the engine's transaction (documents.services.check_upload)."""
    checked: CheckedUpload = _upper("check_upload")(**kwargs)
    return checked


def write_checked(checked: list[CheckedUpload]) -> list[Any]:
    """Write checked uploads to storage, synced, before the step's transaction; their
    StoredFiles in order, not saved (documents.services.write_checked_all)."""
    written: list[Any] = _upper("write_checked")(checked)
    return written


def record_stored(written: list[Any]) -> None:
    """Record files `write_checked` wrote, in the step's transaction (one INSERT)."""
    _upper("record_stored")(written)


def discard_written(written: list[Any]) -> None:
    """Remove files `write_checked` wrote that nothing will record."""
    _upper("discard_written")(written)


def store_upload(**kwargs: Any) -> Any:
    """Check and store an upload at once; returns the StoredFile."""
    return _upper("store_upload")(**kwargs)


def issue_certificate(**kwargs: Any) -> Any:
    """Render, sign and record the case's document; returns the IssuedDocument."""
    return _upper("issue_certificate")(**kwargs)


def request_issue(**kwargs: Any) -> Any:
    """Ask the worker for the case's document, in the approval's transaction
    (documents.issuing.request_issue); returns the IssueRequest."""
    return _upper("request_issue")(**kwargs)


def verification_url(code: str) -> str:
    url: str = _upper("verification_url")(code)
    return url


def open_bill(**kwargs: Any) -> Any:
    """The bill of a payment step, in the engine's transaction (payments.billing.open_bill)."""
    return _upper("open_bill")(**kwargs)


def cancel_open_bills(**kwargs: Any) -> int:
    cancelled: int = _upper("cancel_open_bills")(**kwargs)
    return cancelled


def survey_link(**kwargs: Any) -> str | None:
    """The survey link for a case that just closed, if one is due (surveys' invitation)."""
    link: str | None = _upper("survey_link")(**kwargs)
    return link
