"""Model instances from the rows of statements built once per process.

The hottest reads of the engine and of tracking (`cases.locks`, `cases.reads`) would
spend most of their time compiling a `select_related` query on every call. Their
statements are built once per process from the models' metadata instead; this
module holds what both need: the columns of one model in such a row, with the
database converters the ORM itself applies to them (decryption, JSON, dates on
SQLite), and the instances made from a row with `Model.from_db`, each related one
cached on its parent as `select_related` caches it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

Converter = Callable[[Any, Any, Any], Any]


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
        converters.append(
            tuple(connection.ops.get_db_converters(column) + column.get_db_converters(connection))
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
