"""Fast synthetic history: copies of one real closed case, made inside the database.

The growth benchmark needs a million closed cases in the database. Running
the engine a million times would take hours, so one case is driven through
the engine for real and its rows (case, tasks, events) become the template:
`INSERT ... SELECT` statements copy them with new ids, tracking numbers and
dates over a generated series (a recursive CTE, which SQLite and PostgreSQL
both run), so every column holds exactly what the engine wrote (encrypted
NIK, JSON data, hashes) and no row passes through Python.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

HISTORY_PREFIX = "HIST"
# The events each history case keeps. Pages read one case's events through the
# (case, sequence) index, so what history adds is that index's depth.
HISTORY_EVENT_KINDS = ("submitted", "issued", "closed")
HISTORY_DAYS = 3 * 365
CASE_TIME_COLUMNS = ("submitted_at", "due_at", "closed_at", "updated_at")
# With shift_all, the whole history moves with its case (the insights and open-data
# benches read tasks and events by month).
ALL_CASE_TIME_COLUMNS = (*CASE_TIME_COLUMNS, "complete_at")
TASK_TIME_COLUMNS = ("created_at", "due_at", "claimed_at", "decided_at", "escalated_at")
EVENT_TIME_COLUMNS = ("at",)


def _columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _max_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return int(cur.fetchone()[0])


class HistoryWriter:
    """Appends closed cases shaped like the template case, `count` at a time.

    History case number x gets tracking number HIST-<x> and is moved back by
    (7x mod 1095) days, spreading the history over the past three years.
    Tasks and events keep the template's own times unless `shift_all` moves them too.
    """

    def __init__(
        self,
        template_case_id: int,
        *,
        event_kinds: tuple[str, ...] = HISTORY_EVENT_KINDS,
        shift_all: bool = False,
    ) -> None:
        from loket.cases.models import CaseEvent, Task

        self.template = template_case_id
        self.task_ids = list(
            Task.objects.filter(case_id=template_case_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.event_ids = list(
            CaseEvent.objects.filter(case_id=template_case_id, kind__in=event_kinds)
            .order_by("sequence")
            .values_list("pk", flat=True)
        )
        self.number = 1
        self.shift_all = shift_all

    def append(self, count: int) -> dict[str, int]:
        """Write `count` more closed cases with their tasks and events, in one transaction."""
        from django.db import connection, transaction

        from loket.cases.models import Case, CaseEvent, Task

        first, last = self.number, self.number + count - 1
        case_base = _max_id(Case._meta.db_table) + 1 - first  # case id = case_base + x
        task_base = _max_id(Task._meta.db_table) + 1
        event_base = _max_id(CaseEvent._meta.db_table) + 1
        n_tasks, n_events = len(self.task_ids), len(self.event_ids)
        sqlite = connection.vendor == "sqlite"
        series = (
            f"WITH RECURSIVE g(x) AS "
            f"(SELECT {first} UNION ALL SELECT x + 1 FROM g WHERE x < {last}) "
        )
        offset = f"(g.x - {first})"

        def shifted(column: str) -> str:
            if sqlite:
                return (
                    f"strftime('%Y-%m-%d %H:%M:%f', t.{column}, "
                    f"'-' || ((g.x * 7) % {HISTORY_DAYS}) || ' days')"
                )
            return f"t.{column} - make_interval(days => ((g.x * 7) % {HISTORY_DAYS})::int)"

        tracking = (
            f"'{HISTORY_PREFIX}-' || printf('%09d', g.x)"
            if sqlite
            else f"'{HISTORY_PREFIX}-' || lpad(g.x::text, 9, '0')"
        )
        case_expr = {"id": f"{case_base} + g.x", "tracking_number": tracking}

        def moved(columns: tuple[str, ...]) -> dict[str, str]:
            return {c: f"CASE WHEN t.{c} IS NULL THEN NULL ELSE {shifted(c)} END" for c in columns}

        case_expr.update(moved(ALL_CASE_TIME_COLUMNS if self.shift_all else CASE_TIME_COLUMNS))
        task_slot = _slot("t.id", self.task_ids)
        task_expr = {
            "id": f"{task_base} + {offset} * {n_tasks} + {task_slot}",
            "case_id": f"{case_base} + g.x",
            **(moved(TASK_TIME_COLUMNS) if self.shift_all else {}),
        }
        event_expr = {
            "id": f"{event_base} + {offset} * {n_events} + {_slot('t.id', self.event_ids)}",
            "case_id": f"{case_base} + g.x",
            "task_id": f"CASE WHEN t.task_id IS NULL THEN NULL ELSE "
            f"{task_base} + {offset} * {n_tasks} + {_slot('t.task_id', self.task_ids)} END",
            **(moved(EVENT_TIME_COLUMNS) if self.shift_all else {}),
        }
        statements = [
            _copy(series, Case, case_expr, f"t.id = {self.template}"),
            _copy(series, Task, task_expr, f"t.id IN ({_ids(self.task_ids)})"),
            _copy(series, CaseEvent, event_expr, f"t.id IN ({_ids(self.event_ids)})"),
        ]
        written = {}
        with _bulk_session(), transaction.atomic(), connection.cursor() as cur:
            for key, sql in zip(("cases", "tasks", "events"), statements, strict=True):
                cur.execute(sql)
                written[key] = cur.rowcount
        if not sqlite:
            _reset_sequences()
        self.number += count
        return written


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids) or "NULL"


def _slot(column: str, ids: list[int]) -> str:
    """SQL mapping a template row id to its position (0, 1, ...) among `ids`."""
    whens = " ".join(f"WHEN {pk} THEN {index}" for index, pk in enumerate(ids))
    return f"(CASE {column} {whens} END)"


def _copy(series: str, model: Any, expressions: dict[str, str], where: str) -> str:
    from django.db import connection

    quote = connection.ops.quote_name
    columns = _columns(model)
    select = ", ".join(expressions.get(c, f"t.{quote(c)}") for c in columns)
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"{series}SELECT {select} FROM g CROSS JOIN {quote(model._meta.db_table)} t "
        f"WHERE {where} ORDER BY g.x"
    )


def _reset_sequences() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    from loket.cases.models import Case, CaseEvent, Task

    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Case, Task, CaseEvent]):
            cur.execute(sql)


@contextmanager
def _bulk_session() -> Iterator[None]:
    """On SQLite, give the loading connection a large page cache while it writes.

    The default 2 MB cache turns index inserts into a big table into disk
    reads; the requests measured afterwards use fresh connections with the
    project's settings, so this does not touch the numbers.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size = -524288")  # 512 MiB
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size = -2000")


def analyze() -> float:
    """Refresh the planner's statistics, as autovacuum (or `ANALYZE`) would."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - started
