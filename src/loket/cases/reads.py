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

The applicant's `GET /applications/{n}` only serialises the row: `tracked_and_lockout`
gives it as a `TrackedRow`, whose values go through their converters one by one as they
are read (a third of the columns), with no model instance built unless asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connections, models, router

from loket.cases.models import AccessLockout, Case
from loket.catalog.models import Service, ServiceVersion
from loket.core import pii, prepared
from loket.org.models import Agency

# (relation on Case, model, fields left out)
RELATED: tuple[tuple[str, type[models.Model], frozenset[str]], ...] = (
    ("service", Service, frozenset()),
    ("service_version", ServiceVersion, frozenset({"source", "definition"})),
    ("agency", Agency, frozenset({"crest_png"})),
)
Shape = tuple[tuple[str, type[models.Model], frozenset[str]], ...]
WHOLE: Shape = (("", Case, frozenset()), *RELATED)


def _only(model: type[models.Model], kept: set[str]) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields if f.name not in kept)


# What the applicant's GET shows (`cases.api.serializers.tracked_response`), and no more:
# half the columns of WHOLE, no agency. A case made from such a row defers the rest.
TRACKED: Shape = (
    (
        "",
        Case,
        _only(
            Case,
            {
                "id",
                "tracking_number",
                "access_code_hash",
                "service",
                "service_version",
                "agency",
                "applicant_user",
                "applicant_name",
                "applicant_nik",
                "applicant_email",
                "applicant_phone",
                "language",
                "data",
                "status",
                "outcome",
                "outcome_reason",
                "current_steps",
                "waiting_step",
                "submitted_at",
                "complete_at",
                "due_at",
                "paused_at",
                "last_event_sequence",
                "tracking",
                "applicant_card",
            },
        ),
    ),
    ("service", Service, _only(Service, {"id", "code", "name", "name_en"})),
    ("service_version", ServiceVersion, _only(ServiceVersion, {"id", "number", "content_hash"})),
)


@dataclass(frozen=True)
class _Plan:
    sql: str
    parts: tuple[prepared.Part, ...]
    # "attname" of the case, or "relation__attname": (row position, converters, column)
    columns: dict[str, tuple[int, tuple[prepared.Converter, ...], Any]]


def _columns(
    parts: Sequence[prepared.Part],
) -> dict[str, tuple[int, tuple[prepared.Converter, ...], Any]]:
    found: dict[str, tuple[int, tuple[prepared.Converter, ...], Any]] = {}
    position = 0
    for piece in parts:
        prefix = f"{piece.path}__" if piece.path else ""
        for attname, converters, column in zip(
            piece.attnames, piece.converters, piece.columns, strict=True
        ):
            found[prefix + attname] = (position, converters, column)
            position += 1
    return found


_plans: dict[tuple[str, int, Shape], _Plan] = {}
_lock = threading.Lock()


def _plan(alias: str, lockout_keys: int = 0, shape: Shape = WHOLE) -> _Plan:
    """The statement for the case row in `shape`; with `lockout_keys` > 0, its last column
    is the latest lock-out moment among that many keys (NULL without one)."""
    with _lock:
        found = _plans.get((alias, lockout_keys, shape))
    if found is not None:
        return found
    connection = connections[alias]
    quote = connection.ops.quote_name
    parts: list[prepared.Part] = []
    columns: list[str] = []
    joins: list[str] = []
    case_table = quote(Case._meta.db_table)
    for relation, model, left_out in shape:
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
    plan = _Plan(sql, tuple(parts), _columns(parts))
    with _lock:
        _plans[(alias, lockout_keys, shape)] = plan
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
    tracked, until = _read(tracking_number, lockout_keys, WHOLE)
    return (tracked.case() if tracked is not None else None), until


class TrackedRow:
    """The row `case_and_lockout` reads, not yet made into model instances.

    `value` converts one column as the ORM would (an encrypted one is decrypted);
    `case` builds the instances, once, when a reader needs the model after all."""

    __slots__ = ("_alias", "_case", "_connection", "_plan", "_row")

    def __init__(self, plan: _Plan, row: Sequence[Any], alias: str, connection: Any) -> None:
        self._plan = plan
        self._row = row
        self._alias = alias
        self._connection = connection
        self._case: Case | None = None

    def value(self, name: str) -> Any:
        """The converted value of the case's column `name` (its attname), or of a related
        row's as `service__code`."""
        position, converters, column = self._plan.columns[name]
        value = self._row[position]
        for convert in converters:
            value = convert(value, column, self._connection)
        if type(value) is pii.Sealed:
            # Read once: decrypted without the snapshot an instance keeps to see changes.
            return value.field.from_db_value(value.token, None, None)  # type: ignore[no-untyped-call]
        return value

    def raw(self) -> tuple[Any, ...]:
        """Every column of the row as the database sent it, before any converter (the
        lock-out column left out): equal raw values are the same row."""
        return tuple(self._row[: len(self._plan.columns)])

    def case(self) -> Case:
        if self._case is None:
            found = prepared.instances(self._plan.parts, self._alias, self._row, self._connection)
            self._case = cast(Case, found[""])
        return self._case


def tracked_and_lockout(
    tracking_number: str, lockout_keys: Sequence[str], *, whole: bool = False
) -> tuple[TrackedRow | None, float | None]:
    """`case_and_lockout` for the applicant's GET: the columns it shows (TRACKED), left
    as they came (`TrackedRow`); `whole`, the whole row, for a reader of the case."""
    return _read(tracking_number, lockout_keys, WHOLE if whole else TRACKED)


def _read(
    tracking_number: str, lockout_keys: Sequence[str], shape: Shape
) -> tuple[TrackedRow | None, float | None]:
    alias = router.db_for_read(Case)
    connection = connections[alias]
    plan = _plan(alias, len(lockout_keys), shape)
    row = prepared.fetch_one(
        connection, plan.sql, [*lockout_keys, tracking_number], prepare=shape is TRACKED
    )
    if row is None:
        return None, None
    until = row[-1] if lockout_keys else None
    return TrackedRow(plan, row, alias, connection), float(until) if until is not None else None
