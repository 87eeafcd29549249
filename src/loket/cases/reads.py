"""The case row that every tracking request reads, on Django's connection (ADR 0023).

`Case.objects.select_related(...).filter(tracking_number=...)` spent most of a tracking
request building its SQL (about 5 ms) and its objects, for a statement the database
answers in well under one. The statement is built here once per process from the
models' metadata, values go through each field's database converters exactly as the
ORM applies them (decryption, JSON, dates on SQLite), and the instances come from
`Model.from_db` with the related rows cached as `select_related` caches them.

The version's YAML source and definition and the agency's crest stay out of the row:
the compiled definition comes from its per-process cache, and the crest is served
by its own view. The applicant's tracking read also asks, in the same statement,
until when the client is locked out of guessing codes (`cases.throttle`), so the brake
costs no query of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connections, models, router

from loket.cases.models import AccessLockout, Case
from loket.catalog.models import Service, ServiceVersion
from loket.core import prepared
from loket.org.models import Agency

# (relation on Case, model, fields left out)
RELATED: tuple[tuple[str, type[models.Model], frozenset[str]], ...] = (
    ("service", Service, frozenset()),
    ("service_version", ServiceVersion, frozenset({"source", "definition"})),
    ("agency", Agency, frozenset({"crest_png"})),
)


@dataclass(frozen=True)
class _Plan:
    sql: str
    parts: tuple[prepared.Part, ...]


_plans: dict[tuple[str, int], _Plan] = {}
_lock = threading.Lock()


def _plan(alias: str, lockout_keys: int = 0) -> _Plan:
    """The statement for the case row; with `lockout_keys` > 0, its last column is the
    latest lock-out moment among that many keys (NULL without one)."""
    with _lock:
        found = _plans.get((alias, lockout_keys))
    if found is not None:
        return found
    connection = connections[alias]
    quote = connection.ops.quote_name
    parts: list[prepared.Part] = []
    columns: list[str] = []
    joins: list[str] = []
    case_table = quote(Case._meta.db_table)
    everything: tuple[tuple[str, type[models.Model], frozenset[str]], ...] = (
        ("", Case, frozenset()),
        *RELATED,
    )
    for relation, model, left_out in everything:
        table = model._meta.db_table
        piece, select = prepared.part(connection, model, left_out, path=relation, alias=table)
        parts.append(piece)
        columns.extend(select)
        if relation:
            key = quote(cast(str, cast(Any, model._meta.pk).column))
            local = quote(cast(str, cast(Any, Case._meta.get_field(relation)).column))
            joins.append(
                f"INNER JOIN {quote(table)} ON {case_table}.{local} = {quote(table)}.{key}"
            )
    if lockout_keys:
        lockouts = quote(AccessLockout._meta.db_table)
        marks = ", ".join(["%s"] * lockout_keys)
        # A scalar subquery on the primary key: rows exist only while someone guesses.
        columns.append(
            f"(SELECT MAX({lockouts}.{quote('until')}) FROM {lockouts} "  # noqa: S608
            f"WHERE {lockouts}.{quote('key')} IN ({marks}))"
        )
    number = quote(cast(str, cast(Any, Case._meta.get_field("tracking_number")).column))
    # Identifiers come from model metadata; the tracking number is a parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM {case_table} "  # noqa: S608
        + " ".join(joins)
        + f" WHERE {case_table}.{number} = %s"
    )
    plan = _Plan(sql, tuple(parts))
    with _lock:
        _plans[(alias, lockout_keys)] = plan
    return plan


def case_by_tracking_number(tracking_number: str) -> Case | None:
    """The case with its service, version and agency, as `select_related` gives them."""
    return case_and_lockout(tracking_number, ())[0]


def case_and_lockout(
    tracking_number: str, lockout_keys: Sequence[str]
) -> tuple[Case | None, float | None]:
    """The case as `case_by_tracking_number` reads it and, in the same statement, the
    latest `AccessLockout.until` among `lockout_keys` (None without one, or without a
    case: then nothing was read about the keys)."""
    alias = router.db_for_read(Case)
    connection = connections[alias]
    plan = _plan(alias, len(lockout_keys))
    row = prepared.fetch_one(connection, plan.sql, [*lockout_keys, tracking_number])
    if row is None:
        return None, None
    case = cast(Case, prepared.instances(plan.parts, alias, row, connection)[""])
    until = row[-1] if lockout_keys else None
    return case, float(until) if until is not None else None
