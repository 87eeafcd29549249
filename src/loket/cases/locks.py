"""Every row lock the case engine takes, in one place and one order (Saleor's
`checkout/lock_objects.py`): the case row first, then its task. Operations on
one case therefore queue up on the case row and never deadlock each other.

Locks are FOR NO KEY UPDATE of the case (and task) rows only: locking the
joined service/agency rows, or a plain FOR UPDATE, would block every
transaction that inserts a row pointing at them (PostgreSQL takes KEY SHARE
locks for foreign keys) and deadlock against the ledger's lock. SQLite has no
row locks; its IMMEDIATE transactions serialise writers instead (ADR 0016).

The locking reads are the hottest statements of the step kernel (ADR 0018):
built by the ORM (a four-table `select_related` with `select_for_update`) they
cost about half of an ordinary decision's CPU in query compilation alone. So,
as `cases/reads.py` does for tracking, each statement is built once per process
and database from the models' metadata; values go through each field's database
converters exactly as the ORM applies them (decryption, JSON, dates on SQLite)
and instances come from `Model.from_db`, related rows cached as `select_related`
caches them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import models, transaction
from django.utils.translation import gettext as _

from loket.cases import compiled, ports
from loket.cases.models import Case, Task
from loket.catalog.models import Service, ServiceVersion
from loket.core import prepared, server_prepared
from loket.core.errors import NotFound
from loket.org.models import Agency, Position

# The rows each locking read brings along: (path from the root, model, fields left out).
# The agency's crest stays out (deferred, loaded if ever touched): no step reads it.
CASE_RELATED: tuple[tuple[str, type[models.Model], frozenset[str]], ...] = (
    ("service", Service, frozenset()),
    ("agency", Agency, frozenset({"crest_png"})),
)
TASK_RELATED: tuple[tuple[str, type[models.Model], frozenset[str]], ...] = (
    ("case", Case, frozenset()),
    ("case__service", Service, frozenset()),
    ("case__agency", Agency, frozenset({"crest_png"})),
    ("position", Position, frozenset()),
)


@dataclass(frozen=True)
class _Plan:
    sql: str
    parts: tuple[prepared.Part, ...]


_plans: dict[tuple[str, str], _Plan] = {}
_plans_lock = threading.Lock()


def _build(
    connection: Any,
    root: type[models.Model],
    related: tuple[tuple[str, type[models.Model], frozenset[str]], ...],
    locked: tuple[str, ...],
) -> _Plan:
    """SELECT root and related rows joined on their foreign keys, the version's hash
    last, locking the `locked` paths' rows on databases with row locks."""
    quote = connection.ops.quote_name
    aliases = {"": "t0"}
    select: list[str] = []
    joins: list[str] = []
    parts: list[prepared.Part] = []
    everything = (("", root, frozenset[str]()), *related)
    models_by_path = {path: model for path, model, _left_out in everything}
    for index, (path, model, left_out) in enumerate(everything):
        alias = aliases[path] if not path else f"t{index}"
        if path:
            aliases[path] = alias
            parent_path, _sep, name = path.rpartition("__")
            local = cast(Any, models_by_path[parent_path]._meta.get_field(name)).column
            key = cast(Any, model._meta.pk).column
            joins.append(
                f"INNER JOIN {quote(model._meta.db_table)} {alias} "
                f"ON {aliases[parent_path]}.{quote(local)} = {alias}.{quote(key)}"
            )
        piece, columns = prepared.part(connection, model, left_out, path=path, alias=alias)
        parts.append(piece)
        select.extend(columns)
    case_alias = aliases["" if root is Case else "case"]
    version_table = quote(ServiceVersion._meta.db_table)
    joins.append(
        f"INNER JOIN {version_table} tv ON {case_alias}."
        f"{quote(Case._meta.get_field('service_version').column)} = "
        f"tv.{quote(cast(Any, ServiceVersion._meta.pk).column)}"
    )
    select.append(f"tv.{quote(ServiceVersion._meta.get_field('content_hash').column)}")
    agency_column = f"{case_alias}.{quote(Case._meta.get_field('agency').column)}"
    select.append(ports.any_webhook_subscription_sql(connection, agency_column))
    key = quote(cast(Any, root._meta.pk).column)
    # Identifiers come from model metadata; the id is a parameter.
    sql = (
        f"SELECT {', '.join(select)} FROM {quote(root._meta.db_table)} t0 "  # noqa: S608
        + " ".join(joins)
        + f" WHERE t0.{key} = %s"
    )
    if connection.features.has_select_for_update:
        # The OF list names the case first: PostgreSQL locks the rows in that order.
        of = ", ".join(aliases[path] for path in locked)
        no_key = " NO KEY" if connection.features.has_select_for_no_key_update else ""
        sql += f" FOR{no_key} UPDATE OF {of}"
    return _Plan(sql, tuple(parts))


def _plan(name: str, connection: Any) -> _Plan:
    key = (name, connection.alias)
    found = _plans.get(key)
    if found is not None:
        return found
    if name == "task":
        plan = _build(connection, Task, TASK_RELATED, ("case", ""))
    else:
        plan = _build(connection, Case, CASE_RELATED, ("",))
    with _plans_lock:
        _plans[key] = plan
    return plan


# A statement sent after a locking read, in its round trip, and its first row.
Also = tuple[str, Sequence[Any]]


def _locked_read(
    name: str, pk: int, also: Sequence[Also] = (), found_also: list[Any] | None = None
) -> tuple[dict[str, Any], str] | None:
    """The rows of plan `name` for `pk` by path, and the version's content hash; the case
    knows whether its agency has webhook subscriptions (Case.webhooks_subscribed).

    The first statement of most operations: on PostgreSQL it goes with the BEGIN, and
    the statements `also` right after it, in one round trip (their first rows are put in
    `found_also`, in order)."""
    connection = transaction.get_connection()
    plan = _plan(name, connection)
    statements: list[Also] = [(plan.sql, [pk]), *also]
    if server_prepared.applies(connection):
        statements = _planned_once(connection, statements)
    rows_read = prepared.first_rows(connection, statements)
    row = rows_read[0]
    if found_also is not None:
        found_also.extend(rows_read[1:])
    if row is None:
        return None
    rows: dict[str, Any] = prepared.instances(plan.parts, connection.alias, row[:-2], connection)
    case = rows["case"] if name == "task" else rows[""]
    case.webhooks_subscribed = bool(row[-1])
    return rows, str(row[-2])


def _planned_once(connection: Any, statements: list[Also]) -> list[Also]:
    """The statements as EXECUTEs of copies PREPAREd once per database session
    (`core.server_prepared`). PostgreSQL plans every statement it is sent: the locking
    read's five-table join took 0.67 ms to plan and 0.25 ms to run, on every step. A
    statement not yet prepared in this session is PREPAREd here, in a round trip of its
    own before the step's first one (once per session and statement), so a PREPARE that
    fails raises at once and is never remembered as done."""
    with connection.cursor() as cursor:
        return [
            (server_prepared.statement(connection, cursor, sql, len(params)), params)
            for sql, params in statements
        ]


def lock_case_row(case_id: int) -> Case:
    """The case, locked until the transaction ends, with its service, agency and version.

    One statement: the version comes from the per-process cache of compiled versions,
    keyed by the id and content hash read here.
    """
    found = _locked_read("case", case_id)
    if found is None:
        raise Case.DoesNotExist(f"Case matching query does not exist: {case_id}")
    rows, content_hash = found
    case = cast(Case, rows[""])
    _attach_version(case, content_hash)
    return case


def lock_task_row(
    task_id: int, *, also: Sequence[Also] = (), found_also: list[Any] | None = None
) -> tuple[Case, Task]:
    """The task and its case, both locked, in one statement; `also` (reads the operation
    needs once the locks are held, such as its authority check, or ids for its new rows)
    are run right after it, in the same round trip on PostgreSQL, their first rows put in
    `found_also`.

    The OF list names the case first: PostgreSQL locks the rows in that order, the
    order every other operation takes them in (case, then its tasks), so none can
    deadlock with this. Both rows are locked, so a concurrent winner's change to
    either is seen here once its transaction ends.
    """
    found = _locked_read("task", task_id, also, found_also)
    if found is None:
        raise NotFound(_("There is no task %(id)s.") % {"id": task_id}, field="id")
    rows, content_hash = found
    task, case = cast(Task, rows[""]), cast(Case, rows["case"])
    _attach_version(case, content_hash)
    return case, task


def _attach_version(case: Case, content_hash: str) -> None:
    version, _definition = compiled.version(case.service_version_id, content_hash)
    case.service_version = version


def lock_case(*, case_id: int) -> Case:
    """Lock a case row for another app's operation on it (a payment callback, a bill's
    expiry). Call inside that operation's transaction, before locking its own rows:
    every operation locks the case first, so none can deadlock with another."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_case must be called inside a transaction")
    return lock_case_row(case_id)
