"""Statements of the step kernel that the ORM cannot say in one round trip.

Like `loket.ledger.store`: SQL built from the models' metadata, values passed
through each field's ``get_db_prep_save`` so they are adapted exactly as the
ORM would. Runs on SQLite (3.35+, for RETURNING) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    sql, savers = _insert_task_statement(connection, with_id=False)
    params: list[object] = [save(task, connection) for save in savers]
    with prepared.statement_cursor(connection) as cursor:
        cursor.execute(sql, [*params, agency_id, position_code])
        row = cursor.fetchone()
    if row is None:
        _position_ids.pop((connection.alias, agency_id, position_code), None)
        return False
    task.pk = int(row[0])
    _placed(task, connection, agency_id, position_code, int(row[1]))
    return True


def task_ids_statement(count: int) -> list[tuple[str, list[Any]]]:
    """The statement that takes `count` ids for new tasks from the table's sequence (its
    row: the ids in an array), for a round trip the operation makes anyway; none where
    the database has no sequence to take them from (SQLite) or none are wanted."""
    taken = task_ids_expression(count)
    return [] if taken is None else [(f"SELECT {taken[0]}", taken[1])]


def task_ids_expression(count: int) -> tuple[str, list[Any]] | None:
    """`task_ids_statement`'s value as an SQL expression and its parameters, for a
    statement of the caller's own; None where no ids are taken."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or count <= 0:
        return None
    quote = connection.ops.quote_name
    meta = Task._meta
    # Identifiers come from model metadata, passed as the function's text arguments.
    return (
        "ARRAY(SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s))",
        [quote(meta.db_table), cast(str, meta.pk.column), count],  # type: ignore[union-attr]
    )


def known_position(agency_id: int, position_code: str) -> int | None:
    """The id of the agency's position with that code as this process last inserted a task
    for it, or None: a guess, which `send_task`'s statement checks."""
    alias = transaction.get_connection().alias
    return _position_ids.get((alias, agency_id, position_code))


def send_task(
    task: Task,
    *,
    agency_id: int,
    position_code: str,
    placed: Callable[[int | None], None],
) -> None:
    """Insert `task` with the id it was given, for the agency's position with that code,
    found in the same statement; on PostgreSQL within an open batch (`prepared.batched`),
    since nothing needs its result before the batch ends.

    `placed` gets the position id the statement found (None when the agency has no such
    position and nothing was inserted) once the result is in; the task's position id is
    set to it."""
    connection = transaction.get_connection()
    sql, savers = _insert_task_statement(connection, with_id=True)
    params: list[object] = [task.pk, *(save(task, connection) for save in savers)]
    cursor = prepared.statement_cursor(connection)
    try:
        cursor.execute(sql, [*params, agency_id, position_code])
    except BaseException:
        cursor.__exit__(None, None, None)
        raise

    def found(cursor: Any) -> None:
        row = cursor.fetchone()
        if row is None:
            _position_ids.pop((connection.alias, agency_id, position_code), None)
            placed(None)
            return
        _placed(task, connection, agency_id, position_code, int(row[1]))
        placed(task.position_id)

    prepared.when_done(connection, cursor, found)


def _placed(task: Task, connection: Any, agency_id: int, position_code: str, pk: int) -> None:
    task.position_id = pk
    task._state.adding = False
    task._state.db = connection.alias or default_connection.alias
    _position_ids[(connection.alias, agency_id, position_code)] = pk


# (database alias, agency id, position code) -> the position id a task was last inserted
# for; only ever a guess (see `send_task`), so never stale in a way that matters.
_position_ids: dict[tuple[str, int, str], int] = {}
_insert_task_sql: dict[tuple[str, bool], tuple[str, list[prepared.Saver]]] = {}


def _insert_task_statement(connection: Any, *, with_id: bool) -> tuple[str, list[prepared.Saver]]:
    key = (connection.vendor, with_id)
    built = _insert_task_sql.get(key)
    if built is None:
        built = _build_insert_task(connection, with_id=with_id)
        _insert_task_sql[key] = built
    return built


def _build_insert_task(connection: Any, *, with_id: bool) -> tuple[str, list[prepared.Saver]]:
    """The statement of `insert_task` (or `send_task`: the id given first), and the value
    of each of its other columns, built once."""
    quote = connection.ops.quote_name
    fields = [f for f in Task._meta.concrete_fields if not f.primary_key and f.name != "position"]
    key = quote(cast(str, Task._meta.pk.column))  # type: ignore[union-attr]
    columns = ", ".join(quote(cast(str, f.column)) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    if with_id:
        columns, values = f"{key}, {columns}", f"%s, {values}"
    table = quote(Task._meta.db_table)
    positions = quote(Position._meta.db_table)
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
