"""The engine's seams to the other apps, imported when first used.

Every call the case engine makes into org, calendar, catalog, ledger, notify
and documents goes through here, so the engine's dependencies are listed in
one place and each app can be worked on (and tested) on its own.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from loket.org.models import Agency, Officer, Position


def _module(name: str) -> Any:
    return import_module(name)


# -- org ---------------------------------------------------------------------


def may_act(officer: Officer, position: Position, at: dt.datetime) -> Any:
    """The officer's `Holding` for the position at that moment, or None."""
    return _module("loket.org.selectors").may_act(officer, position, at)


def holders_at(position: Position, at: dt.datetime) -> list[Any]:
    return list(_module("loket.org.selectors").holders_at(position, at))


def holdings_of(officer: Officer, at: dt.datetime) -> list[Any]:
    return list(_module("loket.org.selectors").holdings_of(officer, at))


def superior_of(position: Position) -> Position | None:
    result: Position | None = _module("loket.org.selectors").superior_of(position)
    return result


def position_by_code(agency: Agency, code: str) -> Position | None:
    result: Position | None = _module("loket.org.selectors").position_by_code(agency, code)
    return result


# -- calendar ----------------------------------------------------------------


def add_working_days(agency: Agency, start: dt.datetime, days: int) -> dt.datetime:
    result: dt.datetime = _module("loket.calendar.workingtime").add_working_days(
        agency, start, days
    )
    return result


def add_working_hours(agency: Agency, start: dt.datetime, hours: float) -> dt.datetime:
    result: dt.datetime = _module("loket.calendar.workingtime").add_working_hours(
        agency, start, hours
    )
    return result


def add_working_time(agency: Agency, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    result: dt.datetime = _module("loket.calendar.workingtime").add_working_time(
        agency, start, duration
    )
    return result


def working_time_between(agency: Agency, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    result: dt.timedelta = _module("loket.calendar.workingtime").working_time_between(
        agency, start, end
    )
    return result


# -- catalog -----------------------------------------------------------------


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    return _module("loket.catalog.rules").evaluate(expression, context)


def build_context(
    definition: dict[str, Any],
    *,
    data: dict[str, Any],
    documents: dict[str, Any],
    applicant: dict[str, Any],
) -> dict[str, Any]:
    """What rules see: typed data, documents, applicant facts and decision-table outputs."""
    result: dict[str, Any] = _module("loket.catalog.rules").build_context(
        definition, data=data, documents=documents, applicant=applicant
    )
    return result


def evaluate_condition(expression: str, context: dict[str, Any]) -> bool:
    return bool(_module("loket.catalog.rules").evaluate_condition(expression, context))


def evaluate_tables(definition: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = _module("loket.catalog.rules").evaluate_tables(definition, context)
    return result


def rule_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a rule evaluation raises for a rule that cannot be evaluated."""
    errors = _module("loket.catalog.errors")
    return (errors.RuleError,)


# -- ledger ------------------------------------------------------------------


def ledger_append(kind: str, payload: dict[str, Any]) -> Any:
    return _module("loket.ledger.services").append(kind=kind, payload=payload)


def ledger_lock() -> None:
    _module("loket.ledger.services").lock_for_append()


# -- notify ------------------------------------------------------------------


def enqueue_notification(**kwargs: Any) -> Any:
    return _module("loket.notify.services").enqueue(**kwargs)


# -- documents ---------------------------------------------------------------


def store_upload(
    *, fileobj: Any, original_name: str, allowed_types: list[str], max_bytes: int
) -> Any:
    return _module("loket.documents.services").store_upload(
        fileobj=fileobj,
        original_name=original_name,
        allowed_types=allowed_types,
        max_bytes=max_bytes,
    )


def issue_certificate(**kwargs: Any) -> Any:
    return _module("loket.documents.services").issue_certificate(**kwargs)


def verification_url(document_id: Any) -> str:
    return str(_module("loket.documents.services").verification_url(document_id))


def service_by_code(code: str) -> Any:
    return _module("loket.catalog.selectors").service_by_code(code)


def current_version(service: Any) -> Any:
    return _module("loket.catalog.selectors").current_version(service)


def fee_for(definition: dict[str, Any], data: dict[str, Any]) -> int | None:
    rules = _module("loket.catalog.rules")
    return int(rules.fee_for(definition, data)) if hasattr(rules, "fee_for") else None
