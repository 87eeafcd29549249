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
from dataclasses import dataclass
from typing import Any, cast

from django.db import connections, models, router

from loket.cases.models import Case
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


_plans: dict[str, _Plan] = {}
_lock = threading.Lock()


def _plan(alias: str) -> _Plan:
    with _lock:
        found = _plans.get(alias)
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
    return cast(Case, prepared.instances(plan.parts, alias, row, connection)[""])
