"""The case row that every tracking request reads, on Django's connection (ADR 0023).

`Case.objects.select_related(...).filter(tracking_number=...)` spent most of a tracking
request building its SQL (about 5 ms) and its objects, for a statement the database
answers in well under one. The statement is built here once per process from the
models' metadata, values go through each field's database converters exactly as the
ORM applies them (decryption, JSON, dates on SQLite), and the instances come from
`Model.from_db` with the related rows cached as `select_related` caches them.

The version's YAML source and definition and the agency's crest stay out of the row:
the compiled definition comes from its per-process cache, and the crest is served
by its own view.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connections, models, router

from loket.cases.models import Case
from loket.catalog.models import Service, ServiceVersion
from loket.org.models import Agency

Converter = Callable[[Any, Any, Any], Any]

# (relation on Case, model, fields left out)
RELATED: tuple[tuple[str, type[models.Model], frozenset[str]], ...] = (
    ("service", Service, frozenset()),
    ("service_version", ServiceVersion, frozenset({"source", "definition"})),
    ("agency", Agency, frozenset({"crest_png"})),
)


@dataclass(frozen=True)
class _Part:
    model: type[models.Model]
    fields: tuple[models.Field[Any, Any], ...]
    columns: tuple[Any, ...]  # the ORM's column expressions, which converters expect
    converters: tuple[tuple[Converter, ...], ...]
    relation: str  # "" for the case itself


@dataclass(frozen=True)
class _Plan:
    sql: str
    parts: tuple[_Part, ...]


_plans: dict[str, _Plan] = {}
_lock = threading.Lock()


def _fields(model: type[models.Model], left_out: frozenset[str]) -> tuple[Any, ...]:
    return tuple(f for f in model._meta.concrete_fields if f.name not in left_out)


def _plan(alias: str) -> _Plan:
    with _lock:
        found = _plans.get(alias)
    if found is not None:
        return found
    connection = connections[alias]
    quote = connection.ops.quote_name
    parts: list[_Part] = []
    columns: list[str] = []
    joins: list[str] = []
    case_table = quote(Case._meta.db_table)
    everything: tuple[tuple[str, type[models.Model], frozenset[str]], ...] = (
        ("", Case, frozenset()),
        *RELATED,
    )
    for relation, model, left_out in everything:
        table = model._meta.db_table
        fields = _fields(model, left_out)
        converters = []
        cols = []
        for field in fields:
            column = field.get_col(table)
            cols.append(column)
            converters.append(
                tuple(
                    connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                )
            )
            columns.append(f"{quote(table)}.{quote(field.column)}")
        parts.append(_Part(model, fields, tuple(cols), tuple(converters), relation))
        if relation:
            key = quote(cast(str, cast(Any, model._meta.pk).column))
            local = quote(cast(str, cast(Any, Case._meta.get_field(relation)).column))
            joins.append(
                f"INNER JOIN {quote(table)} ON {case_table}.{local} = {quote(table)}.{key}"
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
        _plans[alias] = plan
    return plan


def _instance(part: _Part, alias: str, values: Sequence[Any], connection: Any) -> Any:
    converted = []
    for column, converters, value in zip(part.columns, part.converters, values, strict=True):
        for convert in converters:
            value = convert(value, column, connection)  # noqa: PLW2901
        converted.append(value)
    return part.model.from_db(alias, [f.attname for f in part.fields], converted)


def case_by_tracking_number(tracking_number: str) -> Case | None:
    """The case with its service, version and agency, as `select_related` gives them."""
    alias = router.db_for_read(Case)
    connection = connections[alias]
    plan = _plan(alias)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, [tracking_number])
        row = cursor.fetchone()
    if row is None:
        return None
    start = 0
    case: Case | None = None
    for part in plan.parts:
        end = start + len(part.fields)
        instance = _instance(part, alias, row[start:end], connection)
        start = end
        if case is None:
            case = instance
        else:
            Case._meta.get_field(part.relation).set_cached_value(case, instance)  # type: ignore[union-attr]
    return case
