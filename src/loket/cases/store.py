"""Statements of the step kernel that the ORM cannot say in one round trip.

Like `loket.ledger.store`: SQL built from the models' metadata, values passed
through each field's ``get_db_prep_save`` so they are adapted exactly as the
ORM would. Runs on SQLite (3.35+, for RETURNING) and PostgreSQL.
"""

from __future__ import annotations

from typing import cast

from django.db import connection as default_connection
from django.db import transaction

from loket.cases.models import Task
from loket.org.models import Position


def insert_task(task: Task, *, agency_id: int, position_code: str) -> bool:
    """Insert `task` for the agency's position with that code, found in the same statement.

    Sets the task's id and position id; False (and nothing inserted) when the agency
    has no such position. One statement instead of a position look-up and an insert.
    """
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    fields = [f for f in Task._meta.concrete_fields if not f.primary_key and f.name != "position"]
    columns = ", ".join(quote(cast(str, f.column)) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    params: list[object] = [
        f.get_db_prep_save(getattr(task, f.attname), connection) for f in fields
    ]
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
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, agency_id, position_code])
        row = cursor.fetchone()
    if row is None:
        return False
    task.pk, task.position_id = int(row[0]), int(row[1])
    task._state.adding = False
    task._state.db = connection.alias or default_connection.alias
    return True
