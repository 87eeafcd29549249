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

import contextlib
import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    models,
    router,
    transaction,
)
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import (
    ForeignKeyDeferredAttribute,
    ForwardManyToOneDescriptor,
)

# Only asked whether anything listens, so that `_made` never skips a listener.
from django.db.models.signals import post_init, pre_init  # noqa: TID251

from loket.core import pii, server_prepared

Converter = Callable[[Any, Any, Any], Any]
ENCRYPTED = (pii.EncryptedTextField, pii.EncryptedJSONField)
# Field descriptors whose __set__ on a fresh instance (nothing cached yet) stores the value.
_PLAIN_SETTERS = (ForeignKeyDeferredAttribute, pii.DecryptingAttribute)


@dataclass(frozen=True)
class Part:
    """One model's columns in a row."""

    model: type[models.Model]
    attnames: tuple[str, ...]
    columns: tuple[Any, ...]  # the ORM's column expressions, which converters expect
    converters: tuple[tuple[Converter, ...], ...]
    path: str  # "" for the root row, else as select_related names it ("case__service")
    # (position in the part, column, converters) of the columns that have converters.
    converted: tuple[tuple[int, Any, tuple[Converter, ...]], ...] = ()
    # Whether an instance may be made by filling its __dict__ (see `_made`).
    plain: bool = False


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
    converted = tuple(
        (index, column, chain)
        for index, (column, chain) in enumerate(zip(columns, converters, strict=True))
        if chain
    )
    attnames = tuple(f.attname for f in fields)
    found = Part(
        model,
        attnames,
        tuple(columns),
        tuple(converters),
        path,
        converted,
        # A model of its own __init__ or from_db is made by them.
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__  # type: ignore[attr-defined]
        and all(_sets_plainly(model, name) for name in attnames),
    )
    return found, select


def _sets_plainly(model: type[models.Model], attname: str) -> bool:
    """Whether setting `attname` on a fresh instance only stores it in its __dict__."""
    descriptor = next((k.__dict__[attname] for k in model.__mro__ if attname in k.__dict__), None)
    setter = getattr(type(descriptor), "__set__", None)
    return setter is None or type(descriptor) in _PLAIN_SETTERS


def _made(piece: Part, alias: str, values: list[Any]) -> models.Model:
    """`piece.model.from_db(alias, attnames, values)`, without the per-field work of
    `Model.__init__` when nothing can tell the difference: no init signal listener and no
    field descriptor that does more than store the value (checked when the part is built)."""
    model = piece.model
    if not piece.plain or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(alias, list(piece.attnames), values)
    instance = model.__new__(model)
    instance.__dict__.update(zip(piece.attnames, values, strict=True))
    state = ModelState()
    state.adding = False
    state.db = alias
    instance._state = state
    return instance


def instances(
    parts: Sequence[Part], alias: str, row: Sequence[Any], connection: Any
) -> dict[str, models.Model]:
    """The row's instances by path; the parts come in row order, parents first."""
    found: dict[str, models.Model] = {}
    start = 0
    for piece in parts:
        end = start + len(piece.attnames)
        values = list(row[start:end])
        for index, column, converters in piece.converted:
            value = values[index]
            for convert in converters:
                value = convert(value, column, connection)
            values[index] = value
        start = end
        instance = _made(piece, alias, values)
        found[piece.path] = instance
        if piece.path:
            # Cached on its parent as select_related does: no query when it is read.
            parent_path, _sep, name = piece.path.rpartition("__")
            parent = found[parent_path]
            parent._meta.get_field(name).set_cached_value(parent, instance)  # type: ignore[union-attr]
    return found


# What `new` needs of a model: per concrete field (name, attname, the model an FK
# points at, None for a column, False for another relation, the field); None when
# its instances must go through __init__.
_Blueprint = tuple[tuple[str, str, Any, models.Field[Any, Any]], ...]
_blueprints: dict[type[Model], _Blueprint | None] = {}


def new(model: type[Model], **values: Any) -> Any:
    """`model(**values)`: a new, unsaved instance, without `Model.__init__`'s per-field
    descriptor work when nothing can tell the difference (the checks of `_made`, and
    only foreign keys to a primary key among the relations); otherwise through it.

    A related instance given by field name is cached on the new one and its key
    copied, as the relation's descriptor does; every field not given gets its default."""
    blueprint = _blueprints.get(model, _MISS)
    if blueprint is _MISS:
        blueprint = _blueprint(model)
        _blueprints[model] = blueprint
    if (
        blueprint is None
        or router.routers
        or pre_init.has_listeners(model)
        or post_init.has_listeners(model)
    ):
        return model(**values)
    instance = model.__new__(model)
    state = ModelState()
    instance._state = state
    found = instance.__dict__
    cache = state.fields_cache
    used = 0
    for name, attname, target, field in blueprint:
        if target is not None and name in values:
            if target is False:
                return model(**values)  # a relation whose descriptor does more
            related = values[name]
            if related is not None and not _relates(state, related, target):
                return model(**values)  # which refuses it as the descriptor does
            found[attname] = None if related is None else related.pk
            cache[name] = related
            used += 1
        elif attname in values:
            found[attname] = values[attname]
            used += 1
        else:
            found[attname] = field.get_default()
    if used != len(values):
        return model(**values)  # a name that is no column (a property, a typo)
    return instance


def _relates(state: ModelState, related: Model, target: type[Model]) -> bool:
    """What a foreign key's descriptor checks and sets when given `related`, with no
    router installed: its class, and both instances' database; False if refused."""
    if not isinstance(related, target):
        return False
    if state.db is None:
        state.db = related._state.db or DEFAULT_DB_ALIAS
    if related._state.db is None:
        related._state.db = state.db
    return related._state.db == state.db


def _blueprint(model: type[Model]) -> _Blueprint | None:
    meta = model._meta
    if (
        model.__init__ is not Model.__init__
        or meta.private_fields
        or meta.abstract
        or not all(_sets_plainly(model, f.attname) for f in meta.concrete_fields)
    ):
        return None
    fields = []
    for field in meta.concrete_fields:
        target: Any = None
        if field.is_relation:
            remote = field.remote_field
            plain = (
                type(field) is models.ForeignKey
                and field.target_field.primary_key  # type: ignore[attr-defined]
                and type(model.__dict__.get(field.name)) is ForwardManyToOneDescriptor
                and remote.multiple  # type: ignore[union-attr]
            )
            # Any other relation (one-to-one…) given by name goes through __init__;
            # not given, or given by its column, it is a plain value there too.
            target = remote.model._meta.concrete_model if plain else False  # type: ignore[union-attr]
        fields.append((field.name, field.attname, target, field))
    return tuple(fields)


class DriverCursor:
    """The driver's cursor for the statements of an open transaction, without Django's
    per-statement wrapping (about 14 µs of a 16 µs SQLite round trip: connection look-ups,
    the health check, SQLite's per-call placeholder regex). Kept: a broken transaction is
    refused and driver errors come out as Django's (IntegrityError, OperationalError…)."""

    __slots__ = ("_connection", "_cursor", "_qmark")

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._cursor = connection.create_cursor()  # the backend's own (time zone loaders)
        self._qmark = connection.vendor == "sqlite"

    def __enter__(self) -> DriverCursor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # As Django's cursor: a failed close must not hide the statement's error.
        with contextlib.suppress(self._connection.Database.Error):
            self._cursor.close()

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        connection = self._connection
        connection.validate_no_broken_transaction()
        with connection.wrap_database_errors:
            if self._qmark:
                # Django's SQLite cursor rewrites %s to ? by regex on every call: once here.
                qmark = _qmark_sql.get(sql)
                if qmark is None:
                    qmark = _QMARK.sub("?", sql).replace("%%", "%")
                    _qmark_sql[sql] = qmark
                sqlite3.Cursor.execute(self._cursor, qmark, params)
            else:
                self._cursor.execute(sql, params)

    def fetchone(self) -> Any:
        with self._connection.wrap_database_errors:
            return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        with self._connection.wrap_database_errors:
            rows: list[Any] = self._cursor.fetchall()
            return rows

    @property
    def rowcount(self) -> int:
        count: int = self._cursor.rowcount
        return count


_QMARK = re.compile(r"(?<!%)%s")  # as django.db.backends.sqlite3's FORMAT_QMARK_REGEX
_qmark_sql: dict[str, str] = {}


def statement_cursor(connection: Any) -> Any:
    """A cursor for a hot-path statement: the driver's (`DriverCursor`) inside an open
    transaction when nothing observes statements, else Django's. Query logging
    (CaptureQueriesContext, DEBUG) and execute wrappers (the bench's counters) see every
    statement as before."""
    if (
        connection.in_atomic_block
        and connection.connection is not None
        and not connection.queries_logged
        and not connection.execute_wrappers
    ):
        return DriverCursor(connection)
    return connection.cursor()


# (cursor, what to do with its result) of the statements sent in an open batch, by
# connection: read after the batch's one sync.
_batches: dict[int, list[tuple[Any, Callable[[Any], None]]]] = {}


@contextlib.contextmanager
def batched(connection: Any) -> Iterator[None]:
    """The hot-path statements sent within, in one round trip on PostgreSQL.

    Inside an open transaction the block runs in psycopg's pipeline mode: each
    statement is sent without waiting for its result, and `when_done` reads the results
    after the one sync at the end of the block, where a failed statement raises its
    error as Django's (IntegrityError, OperationalError…) and the ones after it are not
    run. Only statements written through `statement_cursor`/`when_done` belong in it:
    the ORM reads `rowcount` at once, which a pipeline has not received yet. Elsewhere
    (SQLite, no transaction, execute wrappers that read results, a batch already open)
    the block runs as it is, each statement's result read when it is sent."""
    key = id(connection)
    if (
        connection.vendor != "postgresql"
        or not connection.in_atomic_block
        or connection.connection is None
        or connection.execute_wrappers
        or key in _batches
    ):
        yield
        return
    waiting: list[tuple[Any, Callable[[Any], None]]] = []
    _batches[key] = waiting
    try:
        with connection.wrap_database_errors, connection.connection.pipeline() as pipeline:
            _begin_in(connection.connection, pipeline)
            yield
        del _batches[key]
        for cursor, handle in waiting:
            handle(cursor)
    finally:
        _batches.pop(key, None)
        for cursor, _handle in waiting:
            cursor.__exit__(None, None, None)


def _begin_in(driver: Any, pipeline: Any) -> None:
    """Send the transaction's BEGIN as the pipeline's first statement when the block
    opens the transaction, so that it rides in the block's one round trip.

    psycopg starts a transaction on its first statement by sending BEGIN and, in
    pipeline mode, a Sync it waits for: a round trip of its own before the step's
    first statement (the locking read). Sent here, libpq reports the connection busy,
    so psycopg sends no BEGIN of its own; the BEGIN's result is checked with the
    block's (an error raises at its end). Relies on psycopg 3's pipeline keeping one
    `result_queue` entry per statement sent (None: a command's); without that the
    BEGIN is left to psycopg, one round trip more and nothing else changes."""
    from psycopg import pq

    queue = getattr(pipeline, "result_queue", None)
    begin = getattr(driver, "_get_tx_start_command", None)
    if (
        queue is None
        or begin is None
        or driver.autocommit
        or driver.pgconn.transaction_status != pq.TransactionStatus.IDLE
        or pipeline.command_queue
    ):
        return
    driver.pgconn.send_query_params(begin(), None)
    queue.append(None)


def first_rows(
    connection: Any, statements: Sequence[tuple[str, Sequence[Any]]]
) -> list[Sequence[Any] | None]:
    """The first row of each hot-path statement, run in order; on PostgreSQL in one
    round trip (`batched`), with the transaction's BEGIN when they open it. A statement
    after a failed one is not run there, and the error comes out as Django's."""
    found: list[Sequence[Any] | None] = []
    with batched(connection):
        for sql, params in statements:
            cursor = _sent(connection, sql, params)
            when_done(connection, cursor, lambda c: found.append(c.fetchone()))
    return found


def _sent(connection: Any, sql: str, params: Sequence[Any]) -> Any:
    """A statement cursor that has executed `sql`, for `when_done` to read and close;
    closed at once if executing fails."""
    cursor = statement_cursor(connection)
    try:
        cursor.execute(sql, params)
    except BaseException:
        cursor.__exit__(None, None, None)
        raise
    return cursor


def when_done(connection: Any, cursor: Any, handle: Callable[[Any], None] | None = None) -> None:
    """Call `handle(cursor)` with the statement's result, then close the cursor: at once,
    or after the sync of the batch it was sent in (`batched`)."""
    waiting = _batches.get(id(connection))
    if waiting is not None:
        waiting.append((cursor, handle or _nothing))
        return
    with cursor:
        if handle is not None:
            handle(cursor)


def in_batch(connection: Any) -> bool:
    """Whether statements on `connection` are being sent in a batch (`batched`)."""
    return id(connection) in _batches


def _nothing(cursor: Any) -> None:
    return None


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


# (instance, connection) -> the column's value for the database.
Saver = Callable[[Model, Any], Any]
# (value, connection) -> that value as the database takes it.
Preparer = Callable[[Any, Any], Any]
_PLAIN_TYPES: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
}
_INTEGER_FIELDS = (
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
)
_savers: dict[tuple[str, models.Field[Any, Any], bool], Saver] = {}
_preparers: dict[tuple[str, models.Field[Any, Any]], Preparer] = {}


def saver(connection: Any, field: models.Field[Any, Any], *, add: bool) -> Saver:
    """`field.get_db_prep_save(field.pre_save(instance, add), connection)` as one function
    of (instance, connection), for connections of this one's database vendor (see
    `preparer`; the value is the attribute itself where pre_save only reads it)."""
    key = (connection.vendor, field, add)
    found = _savers.get(key)
    if found is None:
        found = _build_saver(connection, field, add)
        _savers[key] = found
    return found


def _build_saver(connection: Any, field: models.Field[Any, Any], add: bool) -> Saver:
    prepare = preparer(connection, field)
    if prepare is _generic_preparer(field):

        def generic(instance: Model, connection: Any) -> Any:
            return field.get_db_prep_save(field.pre_save(instance, add), connection)

        return generic
    attname = field.attname

    def fast(instance: Model, connection: Any) -> Any:
        # The fast kinds' pre_save is reading the attribute (no auto_now here).
        value = instance.__dict__.get(attname, _MISS)
        if value is _MISS:  # not loaded: the descriptor reads it
            value = field.pre_save(instance, add)
        return prepare(value, connection)

    return fast


def preparer(connection: Any, field: models.Field[Any, Any]) -> Preparer:
    """`field.get_db_prep_save(value, connection)` as one function of (value, connection),
    for connections of this one's database vendor.

    Most of a hot-path write's columns are plain strings, numbers, flags, ids, aware
    datetimes and JSON, for which Django's generic chain (get_db_prep_save,
    get_db_prep_value, get_prep_value, to_python) returns the value itself or one backend
    adaptation; those go straight there. Any other field class or value type (encrypted,
    files, auto_now, a lazy string, an expression) takes the ORM's own chain, unchanged."""
    key = (connection.vendor, field)
    found = _preparers.get(key)
    if found is None:
        found = _build_preparer(field, connection.vendor)
        _preparers[key] = found
    return found


_generic_preparers: dict[models.Field[Any, Any], Preparer] = {}


def _generic_preparer(field: models.Field[Any, Any]) -> Preparer:
    found = _generic_preparers.get(field)
    if found is None:

        def found(value: Any, connection: Any) -> Any:
            return field.get_db_prep_save(value, connection)

        _generic_preparers[field] = found
    return found


def _build_preparer(field: models.Field[Any, Any], vendor: str) -> Preparer:
    # Each kind's function takes its common values directly and hands any other value to
    # the ORM's chain (one call per column: this runs for every column of every row).
    slow = field.get_db_prep_save
    kind = type(field)
    if kind in _PLAIN_TYPES:
        plain = _PLAIN_TYPES[kind]

        def prepare(value: Any, connection: Any) -> Any:
            # A str subclass (a TextChoices member, SafeString) is what the ORM's
            # to_python returns unchanged too; a lazy string is not one.
            if value is None or isinstance(value, plain):
                return value
            return slow(value, connection)

    elif kind is models.BooleanField:
        # None is not passed through: the ORM refuses it for a NOT NULL flag.
        def prepare(value: Any, connection: Any) -> Any:
            return value if type(value) is bool else slow(value, connection)

    elif kind in _INTEGER_FIELDS:
        internal = field.get_internal_type()

        def prepare(value: Any, connection: Any) -> Any:
            if type(value) is int:
                return connection.ops.adapt_integerfield_value(value, internal)
            return None if value is None else slow(value, connection)

    elif kind is models.ForeignKey and isinstance(
        field.target_field,  # type: ignore[attr-defined]
        models.AutoField | models.BigAutoField,
    ):
        # An auto id is neither converted nor adapted by the ORM (AutoFieldMixin).
        def prepare(value: Any, connection: Any) -> Any:
            if value is None or type(value) is int:
                return value
            return slow(value, connection)

    elif kind is models.JSONField:
        encoder = field.encoder  # type: ignore[attr-defined]

        def prepare(value: Any, connection: Any) -> Any:
            if type(value) is dict or type(value) is list:
                return connection.ops.adapt_json_value(value, encoder)
            return None if value is None else slow(value, connection)

    elif (
        kind is models.DateTimeField
        and not (field.auto_now or field.auto_now_add)  # type: ignore[attr-defined]
        and vendor == "sqlite"
    ):

        def prepare(value: Any, connection: Any) -> Any:
            if type(value) is dt.datetime:
                # SQLite's adaptation of a UTC moment on a UTC connection (USE_TZ, no
                # database TIME_ZONE) is its text without the offset; it reads the
                # settings, checks awareness twice and converts to the same zone first.
                if value.tzinfo is dt.UTC and connection.timezone is dt.UTC:
                    return str(value.replace(tzinfo=None))
                if value.utcoffset() is not None:
                    return connection.ops.adapt_datetimefield_value(value)
            return None if value is None else slow(value, connection)

    elif kind is models.DateTimeField and not (field.auto_now or field.auto_now_add):  # type: ignore[attr-defined]

        def prepare(value: Any, connection: Any) -> Any:
            if type(value) is dt.datetime and value.utcoffset() is not None:
                return connection.ops.adapt_datetimefield_value(value)
            return None if value is None else slow(value, connection)

    else:
        return _generic_preparer(field)
    return prepare


# Marks a value the fast path does not handle (or an attribute not loaded).
_MISS: Any = object()

_insert_sql: dict[tuple[str, type[Model], int], tuple[str, list[Saver], bool]] = {}


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
        # The savers too: looking each up hashes its field (a Python __hash__).
        built = (sql, [saver(connection, f, add=True) for f in fields], not made_here)
        _insert_sql[key] = built
    sql, savers, returns_ids = built
    params: list[object] = [save(row, connection) for row in rows for save in savers]
    cursor = _sent(connection, sql, params)
    # In a batch the ids arrive with its sync; nothing in the step reads them before.
    when_done(connection, cursor, (lambda c: _set_ids(rows, c.fetchall())) if returns_ids else None)
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias


def _set_ids(rows: Sequence[Model], ids: Sequence[Any]) -> None:
    if len(ids) != len(rows):
        raise DatabaseError("The INSERT did not return an id for every row.")
    # RETURNING gives the rows in VALUES order on both databases for a plain INSERT …
    # VALUES (the ORM's bulk_create relies on the same).
    for row, (pk_value,) in zip(rows, ids, strict=True):
        row.pk = pk_value
