"""Statements of the step kernel that the ORM cannot say in one round trip.

Like `loket.ledger.store`: SQL built from the models' metadata, values passed
through each field's ``get_db_prep_save`` so they are adapted exactly as the
ORM would. Runs on SQLite (3.35+, for RETURNING) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import DatabaseError, transaction
from django.db import connection as default_connection
from django.db.models import Field, Model

from loket.cases.models import Task
from loket.core import prepared
from loket.org.models import Position


def insert_task(task: Task, *, agency_id: int, position_code: str) -> bool:
    """Insert `task` for the agency's position with that code, found in the same statement.

    Sets the task's id and position id; False (and nothing inserted) when the agency
    has no such position. One statement instead of a position look-up and an insert.
    """
    connection = transaction.get_connection()
    built = _insert_task_sql.get(connection.vendor)
    if built is None:
        built = _build_insert_task(connection)
        _insert_task_sql[connection.vendor] = built
    sql, savers = built
    params: list[object] = [save(task, connection) for save in savers]
    with prepared.statement_cursor(connection) as cursor:
        cursor.execute(sql, [*params, agency_id, position_code])
        row = cursor.fetchone()
    if row is None:
        return False
    task.pk, task.position_id = int(row[0]), int(row[1])
    task._state.adding = False
    task._state.db = connection.alias or default_connection.alias
    return True


_insert_task_sql: dict[str, tuple[str, list[prepared.Saver]]] = {}


def _build_insert_task(connection: Any) -> tuple[str, list[prepared.Saver]]:
    """The statement of `insert_task`, and the value of each of its columns, built once."""
    quote = connection.ops.quote_name
    fields = [f for f in Task._meta.concrete_fields if not f.primary_key and f.name != "position"]
    columns = ", ".join(quote(cast(str, f.column)) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    table = quote(Task._meta.db_table)
    positions = quote(Position._meta.db_table)
    key = quote(cast(str, Task._meta.pk.column))  # type: ignore[union-attr]
    position_column = quote(Task._meta.get_field("position").column)
    position_key = quote(cast(str, Position._meta.pk.column))  # type: ignore[union-attr]
    agency_column = quote(Position._meta.get_field("agency").column)
    code_column = quote(cast(str, Position._meta.get_field("code").column))
    # Identifiers come from model metadata, values are parameters.
    sql = (
        f"INSERT INTO {table} ({columns}, {position_column}) "  # noqa: S608
        f"SELECT {values}, {position_key} FROM {positions} "
        f"WHERE {agency_column} = %s AND {code_column} = %s "
        f"RETURNING {key}, {position_column}"
    )
    # Task has no auto_now column, so pre_save is the attribute as the plain read was.
    return sql, [prepared.saver(connection, f, add=True) for f in fields]


_update_sql: dict[tuple[str, type[Model], tuple[str, ...]], tuple[str, list[prepared.Saver]]] = {}


def update_columns(instance: Model, names: Sequence[str]) -> None:
    """`instance.save(update_fields=names)` in one UPDATE built once per set of columns.

    The ORM compiles an UPDATE on every save (a few hundred µs for a case step's two
    saves); this keeps its semantics: values from each field's ``pre_save`` (so
    ``auto_now`` columns are stamped) adapted by ``get_db_prep_save`` (so encrypted
    fields are encrypted), and no row updated is an error as it is for the ORM. The
    models it serves (Case, Task) have no save signals to send.
    """
    connection = transaction.get_connection()
    model = type(instance)
    key = (connection.alias, model, tuple(names))
    built = _update_sql.get(key)
    if built is None:
        meta = model._meta
        fields = [cast("Field[Any, Any]", meta.get_field(name)) for name in dict.fromkeys(names)]
        if any(hasattr(f, "get_placeholder") for f in fields):
            # A field that writes itself through SQL of its own: leave it to the ORM,
            # which reads the row count at once (not possible in a batch: refused, not
            # misread).
            if prepared.in_batch(connection):
                raise DatabaseError("An ORM save cannot run inside a batch of statements.")
            instance.save(update_fields=list(names))
            return
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(cast(str, f.column))} = %s" for f in fields)
        # Identifiers come from model metadata, values are parameters.
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608
            f"WHERE {quote(cast(str, meta.pk.column))} = %s"  # type: ignore[union-attr]
        )
        # With the statement, its savers: looking each up per call hashed its field.
        built = (sql, [prepared.saver(connection, f, add=False) for f in fields])
        _update_sql[key] = built
    sql, savers = built
    params = [save(instance, connection) for save in savers]
    cursor = prepared.statement_cursor(connection)
    try:
        cursor.execute(sql, [*params, instance.pk])
    except BaseException:
        cursor.__exit__(None, None, None)
        raise
    # Checked at once, or after the sync of the batch it was sent in.
    prepared.when_done(connection, cursor, _one_row_updated)


def _one_row_updated(cursor: Any) -> None:
    if cursor.rowcount != 1:
        raise DatabaseError("Save with update_fields did not affect any rows.")
