"""Row-level storage for the append path of the ledger.

The append path issues its few statements as SQL built from the models'
metadata: it runs on every case step, and the ORM's per-query overhead was
several times the cost of the work itself. Values still go through each
field's ``get_db_prep_save``, so types are adapted exactly as the ORM would.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

from loket.core import prepared
from loket.ledger import merkle
from loket.ledger.models import LogState, PendingEntry


def split_frontier(blob: bytes | memoryview) -> list[bytes]:
    blob = bytes(blob)
    return [blob[i : i + merkle.HASH_SIZE] for i in range(0, len(blob), merkle.HASH_SIZE)]


def _fields(model: type[Model], names: Iterable[str]) -> list[Field[Any, Any]]:
    by_name = {field.name: field for field in model._meta.concrete_fields}
    return [by_name[name] for name in names]


def _quoted(connection: BaseDatabaseWrapper, model: type[Model], *names: str) -> list[str]:
    return [connection.ops.quote_name(cast(str, field.column)) for field in _fields(model, names)]


def lock_state(connection: BaseDatabaseWrapper) -> tuple[int, bytes]:
    """Read (size, frontier) of the log, holding its row lock until the transaction ends."""
    table = connection.ops.quote_name(LogState._meta.db_table)
    size, frontier, key = _quoted(connection, LogState, "size", "frontier", "id")
    # SQLite has no FOR UPDATE; its IMMEDIATE transactions already serialise writers.
    # NO KEY UPDATE: nothing references this row, and it is the weakest lock that
    # still serialises appenders.
    lock = " FOR NO KEY UPDATE" if connection.vendor == "postgresql" else ""
    # Identifiers come from model metadata, values are parameters.
    sql = f"SELECT {size}, {frontier} FROM {table} WHERE {key} = %s{lock}"  # noqa: S608
    with prepared.statement_cursor(connection) as cursor:
        cursor.execute(sql, [1])
        row = cursor.fetchone()
        if row is None:
            # The first append ever: concurrent first appenders meet on the primary key.
            LogState.objects.get_or_create(pk=1)
            cursor.execute(sql, [1])
            row = cursor.fetchone()
    return int(row[0]), bytes(row[1])


def insert(connection: BaseDatabaseWrapper, model: type[Model], rows: list[dict[str, Any]]) -> None:
    names = tuple(rows[0])
    key = (connection.alias, model, names, len(rows))
    built = _insert_sql.get(key)
    if built is None:
        # Built once per table, columns and row count for the few rows a case step
        # queues; a fold's larger batches are not kept (up to FOLD_BATCH variants).
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(_quoted(connection, model, *names))
        values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(rows))
        sql = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608
        fields = _fields(model, names)
        built = (sql, [prepared.preparer(connection, field) for field in fields])
        if len(rows) <= _KEPT_ROWS:
            _insert_sql[key] = built
    sql, preparers = built
    params = [
        prepare(row[name], connection)
        for row in rows
        for name, prepare in zip(names, preparers, strict=True)
    ]
    cursor = prepared.statement_cursor(connection)
    try:
        cursor.execute(sql, params)
    except BaseException:
        cursor.__exit__(None, None, None)
        raise
    prepared.when_done(connection, cursor)  # at once, or after a batch's sync


_insert_sql: dict[tuple[str, type[Model], tuple[str, ...], int], tuple[str, list[Any]]] = {}
_KEPT_ROWS = 16


def save_state(connection: BaseDatabaseWrapper, size: int, frontier: bytes) -> None:
    table = connection.ops.quote_name(LogState._meta.db_table)
    size_column, frontier_column, key = _quoted(connection, LogState, "size", "frontier", "id")
    (frontier_field,) = _fields(LogState, ["frontier"])
    with prepared.statement_cursor(connection) as cursor:
        cursor.execute(
            f"UPDATE {table} SET {size_column} = %s, {frontier_column} = %s WHERE {key} = %s",  # noqa: S608
            [size, frontier_field.get_db_prep_save(frontier, connection), 1],
        )


def pending(connection: BaseDatabaseWrapper, limit: int) -> list[tuple[int, str, dict[str, Any]]]:
    """The first ``limit`` queued entries visible to this transaction, in queue order."""
    table = connection.ops.quote_name(PendingEntry._meta.db_table)
    key, kind, payload = _quoted(connection, PendingEntry, "id", "kind", "payload")
    sql = f"SELECT {key}, {kind}, {payload} FROM {table} ORDER BY {key} LIMIT %s"  # noqa: S608
    with prepared.statement_cursor(connection) as cursor:
        cursor.execute(sql, [limit])
        rows = cursor.fetchall()
    return [
        # Django has both drivers hand JSON over as text (its JSONField decodes it).
        (
            int(row_id),
            str(row_kind),
            json.loads(row_payload) if isinstance(row_payload, (str, bytes)) else row_payload,
        )
        for row_id, row_kind, row_payload in rows
    ]


def delete_pending(connection: BaseDatabaseWrapper, ids: list[int]) -> None:
    table = connection.ops.quote_name(PendingEntry._meta.db_table)
    (key,) = _quoted(connection, PendingEntry, "id")
    # Exactly the folded ids, never "everything up to the last one": a step that took its
    # id earlier may commit later, and its row must stay for the next batch.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        with prepared.statement_cursor(connection) as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {key} IN ({marks})", chunk)  # noqa: S608
