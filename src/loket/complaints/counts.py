"""Per-unit complaint counters of the public list, exact and cheap to read (ADR 0023).

The public list shows, per responsible unit, how many complaints it received, how many
it resolved on time and how many are overdue. Aggregated over every complaint this cost
seconds at a million rows, so:

- `received` and `resolved_on_time` are counters (`UnitCount`), moved by
  `Complaint.save`/`delete` and by a queryset's `delete` (admin, bulk) in the same
  transaction as the change they count, with
  ``UPDATE … SET n = n + d`` (no read-modify-write race between transitions);
- `overdue` depends on the moment (a deadline passes with no event), so it is never
  stored: it is the open complaints whose running deadline is before now, counted per
  unit from the (status, deadline, unit) indexes, which only walk the overdue rows.

Writes that skip `save` (bulk_create, queryset.update) skip the counters too:
`loket complaint-counts check` recomputes them and reports any drift, `repair` fixes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet

from loket.complaints.models import (
    HANDLING_STATUSES,
    RESOLVED_STATUSES,
    Complaint,
    Status,
    UnitCount,
)

Share = tuple[int, bool]  # (unit id, resolved on time)


def stored_share(complaint: Complaint) -> Share | None:
    """What the stored row of `complaint` adds to the counters now (None: no row)."""
    counted = getattr(complaint, "_counted", None)
    if counted is not None:
        return counted  # type: ignore[no-any-return]
    row = (
        Complaint.objects.filter(pk=complaint.pk)
        .values_list("unit_id", "status", "answered_on_time")
        .first()
    )
    if row is None:
        return None
    unit_id, status, on_time = row
    return unit_id, status in RESOLVED_STATUSES and on_time is True


def add(unit_id: int, received: int = 0, resolved_on_time: int = 0) -> None:
    """Add to a unit's counters (one UPDATE; the row is created the first time)."""
    if not (received or resolved_on_time):
        return
    changes = {
        "received": F("received") + received,
        "resolved_on_time": F("resolved_on_time") + resolved_on_time,
    }
    if UnitCount.objects.filter(unit_id=unit_id).update(**changes):
        return
    with transaction.atomic():
        UnitCount.objects.get_or_create(unit_id=unit_id)
    UnitCount.objects.filter(unit_id=unit_id).update(**changes)


def move(before: Share | None, after: Share | None) -> None:
    """Move the counters from a row's old share to its new one (nothing if equal)."""
    if before == after:
        return
    if before is not None:
        add(before[0], received=-1, resolved_on_time=-int(before[1]))
    if after is not None:
        add(after[0], received=1, resolved_on_time=int(after[1]))


def shares_of(complaints: QuerySet[Complaint, Any]) -> dict[int, tuple[int, int]]:
    """What the stored rows of `complaints` add to the counters: unit id → (received,
    resolved on time); one grouped query."""
    rows = (
        complaints.order_by()
        .values("unit_id")
        .annotate(
            received=Count("pk"),
            resolved=Count("pk", filter=Q(status__in=RESOLVED_STATUSES, answered_on_time=True)),
        )
    )
    return {r["unit_id"]: (r["received"], r["resolved"]) for r in rows}


def take_off(shares: dict[int, tuple[int, int]]) -> None:
    """Remove deleted rows' shares from their units' counters."""
    for unit_id, (received, resolved) in shares.items():
        add(unit_id, received=-received, resolved_on_time=-resolved)


def overdue_ids(
    now: dt.datetime,
    *,
    unit_ids: Collection[int] | None = None,
    unescalated: bool = False,
    column: str = "pk",
) -> QuerySet[Complaint, Any]:
    """`column` of the open complaints whose running clock ran out before `now`.

    One index range per clock, joined with UNION ALL: the verification clock in the
    (status, verify_due_at, unit) index, the tier clock in the (status, due_at, unit)
    index. An OR of the two (or GROUP BY on the table itself) makes SQLite and
    PostgreSQL scan the whole table through another index. A complaint runs at most one
    clock at a time (its status picks it), so no row is counted twice.
    """
    parts = [
        Complaint.objects.filter(status=Status.RECEIVED, verify_due_at__lt=now),
        Complaint.objects.filter(status__in=HANDLING_STATUSES, due_at__lt=now),
    ]
    if unit_ids is not None:
        units = list(unit_ids)
        parts = [part.filter(unit_id__in=units) for part in parts]
    if unescalated:
        parts = [part.filter(escalated_at__isnull=True) for part in parts]
    verifying, handling = (part.order_by().values_list(column, flat=True) for part in parts)
    return verifying.union(handling, all=True)


def overdue_per_unit(now: dt.datetime) -> dict[int, int]:
    """Overdue complaints per unit id: one query that walks only the overdue rows."""
    with connection.cursor() as cursor:
        cursor.execute(*overdue_sql(now))
        return dict(cursor.fetchall())


def overdue_sql(now: dt.datetime) -> tuple[str, tuple[Any, ...]]:
    sql, params = overdue_ids(now, column="unit_id").query.sql_with_params()
    # Django-built SQL with bound parameters.
    return f"SELECT unit_id, COUNT(*) FROM ({sql}) overdue GROUP BY unit_id", tuple(params)  # noqa: S608


def overdue_count(now: dt.datetime, *, unit_ids: Collection[int] | None = None) -> int:
    """How many complaints (of the units, or all) are overdue now; one query."""
    if unit_ids is not None and not unit_ids:
        return 0  # no unit, nothing to count (and `IN ()` has no SQL)
    sql, params = overdue_ids(now, unit_ids=unit_ids).query.sql_with_params()
    with connection.cursor() as cursor:
        # Django-built SQL with bound parameters.
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) overdue", params)  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def stored() -> dict[int, tuple[int, int]]:
    """The counters as kept: unit id → (received, resolved on time); zero rows left out."""
    return {
        unit_id: (received, resolved)
        for unit_id, received, resolved in UnitCount.objects.values_list(
            "unit_id", "received", "resolved_on_time"
        )
        if received or resolved
    }


def recomputed() -> dict[int, tuple[int, int]]:
    """The counters from the complaints themselves (the slow aggregate, for checking)."""
    return {
        unit_id: share for unit_id, share in shares_of(Complaint.objects.all()).items() if share[0]
    }


def drift() -> dict[int, tuple[tuple[int, int], tuple[int, int]]]:
    """Units whose kept counters differ from a recomputation: id → (kept, actual)."""
    kept, actual = stored(), recomputed()
    return {
        unit_id: (kept.get(unit_id, (0, 0)), actual.get(unit_id, (0, 0)))
        for unit_id in sorted(set(kept) | set(actual))
        if kept.get(unit_id, (0, 0)) != actual.get(unit_id, (0, 0))
    }


@transaction.atomic
def repair() -> int:
    """Set every counter to its recomputed value; returns how many units changed."""
    # Lock the counters so a transition cannot move one between the count and the write.
    list(UnitCount.objects.select_for_update().values_list("pk", flat=True))
    wrong = drift()
    for unit_id, (_kept, (received, resolved)) in wrong.items():
        UnitCount.objects.update_or_create(
            unit_id=unit_id, defaults={"received": received, "resolved_on_time": resolved}
        )
    return len(wrong)
