"""Statements built once per process, and model instances from their rows.

The hottest reads of the engine and of tracking (`cases.locks`, `cases.reads`) would
spend most of their time compiling a `select_related` query on every call. Their
statements are built once per process from the models' metadata instead; this
module holds what both need: the columns of one model in such a row, with the
database converters the ORM itself applies to them (decryption, JSON, dates on
SQLite), and the instances made from a row with `Model.from_db`, each related one
cached on its parent as `select_related` caches it. `insert_rows` is the write
side: a multi-row INSERT of the engine's hot path (events, issue requests) without
the ORM compiling it on every call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import DatabaseError, InterfaceError, OperationalError, models, transaction
from django.db.models import Model

from loket.core import pii, server_prepared

Converter = Callable[[Any, Any, Any], Any]
ENCRYPTED = (pii.EncryptedTextField, pii.EncryptedJSONField)


@dataclass(frozen=True)
class Part:
    """One model's columns in a row."""

    model: type[models.Model]
    attnames: tuple[str, ...]
    columns: tuple[Any, ...]  # the ORM's column expressions, which converters expect
    converters: tuple[tuple[Converter, ...], ...]
    path: str  # "" for the root row, else as select_related names it ("case__service")


def part(
    connection: Any, model: type[models.Model], left_out: frozenset[str], *, path: str, alias: str
) -> tuple[Part, list[str]]:
    """The part for `model`'s concrete fields but `left_out`, read from table `alias`,
    and the SELECT list entries for its columns."""
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if f.name not in left_out]
    columns: list[Any] = []
    converters: list[tuple[Converter, ...]] = []
    select: list[str] = []
    for field in fields:
        column = field.get_col(alias)
        columns.append(column)
        if isinstance(field, ENCRYPTED):
            # Decrypted when first read, not for every row read (core.pii.Sealed).
            converters.append((pii.sealing_converter(field),))
        else:
            converters.append(
                tuple(
                    connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                )
            )
        select.append(f"{quote(alias)}.{quote(field.column)}")
    found = Part(model, tuple(f.attname for f in fields), tuple(columns), tuple(converters), path)
    return found, select


def instances(
    parts: Sequence[Part], alias: str, row: Sequence[Any], connection: Any
) -> dict[str, models.Model]:
    """The row's instances by path; the parts come in row order, parents first."""
    found: dict[str, models.Model] = {}
    start = 0
    for piece in parts:
        end = start + len(piece.attnames)
        values = []
        for column, converters, value in zip(
            piece.columns, piece.converters, row[start:end], strict=True
        ):
            for convert in converters:
                value = convert(value, column, connection)  # noqa: PLW2901
            values.append(value)
        start = end
        instance = piece.model.from_db(alias, list(piece.attnames), values)
        found[piece.path] = instance
        if piece.path:
            # Cached on its parent as select_related does: no query when it is read.
            parent_path, _sep, name = piece.path.rpartition("__")
            parent = found[parent_path]
            parent._meta.get_field(name).set_cached_value(parent, instance)  # type: ignore[union-attr]
    return found


def fetch_one(
    connection: Any, sql: str, params: Sequence[Any], *, prepare: bool = False
) -> Sequence[Any] | None:
    """One row of a read-only statement that serves as the connection's health check.

    With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before a request's first statement
    (a round trip on PostgreSQL, as long as the tracking read itself). Outside a
    transaction this statement is the check instead: on a connection the server dropped
    it fails, the connection is replaced and the statement sent once more.

    With `prepare`, the statement is planned once per session where that applies
    (`core.server_prepared`)."""
    optimistic = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if optimistic:
        connection.health_check_done = True
        try:
            return _fetch_one(connection, sql, params, prepare)
        except (InterfaceError, OperationalError):
            connection.close()  # dropped: the next cursor opens a new connection
    return _fetch_one(connection, sql, params, prepare)


def _fetch_one(
    connection: Any, sql: str, params: Sequence[Any], prepare: bool
) -> Sequence[Any] | None:
    with connection.cursor() as cursor:
        if prepare and server_prepared.applies(connection):
            sql = server_prepared.statement(connection, cursor, sql, len(params))
        cursor.execute(sql, params)
        row: Sequence[Any] | None = cursor.fetchone()
    return row


_insert_sql: dict[tuple[str, type[Model], int], tuple[str, list[Any], bool]] = {}


def insert_rows(rows: Sequence[Model]) -> None:
    """`bulk_create(rows)` for rows of one model without a save signal, in one INSERT built
    once per model and number of rows; sets each row's id (RETURNING, in row order), or
    writes it when the model makes its ids in Python (a UUID's default).

    The ORM compiles the multi-row INSERT on every call (most of a step's event write);
    values go through each field's ``pre_save`` and ``get_db_prep_save`` as the ORM's."""
    if not rows:
        return
    connection = transaction.get_connection()
    model = type(rows[0])
    key = (connection.alias, model, len(rows))
    built = _insert_sql.get(key)
    if built is None:
        meta = model._meta
        quote = connection.ops.quote_name
        # An id made in Python (a UUID's default) is written; one the database makes is
        # read back.
        pk_field = meta.pk
        made_here = pk_field.has_default()
        fields = [f for f in meta.concrete_fields if made_here or not f.primary_key]
        columns = ", ".join(quote(cast(str, f.column)) for f in fields)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        returning = "" if made_here else f" RETURNING {quote(cast(str, pk_field.column))}"
        # Identifiers come from model metadata, values are parameters.
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES {', '.join([one] * len(rows))}{returning}"
        )
        built = (sql, list(fields), not made_here)
        _insert_sql[key] = built
    sql, fields, returns_ids = built
    params: list[object] = [
        f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows for f in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = cursor.fetchall() if returns_ids else None
    if ids is not None:
        if len(ids) != len(rows):
            raise DatabaseError("The INSERT did not return an id for every row.")
        # RETURNING gives the rows in VALUES order on both databases for a plain INSERT …
        # VALUES (the ORM's bulk_create relies on the same).
        for row, (pk_value,) in zip(rows, ids, strict=True):
            row.pk = pk_value
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias
