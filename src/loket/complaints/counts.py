"""Per-unit complaint counters of the public list, exact and cheap to read (ADR 0023).

The public list shows, per responsible unit, how many complaints it received, how many
it resolved on time and how many are overdue. Aggregated over every complaint this cost
seconds at a million rows, so:

- `received` and `resolved_on_time` are counters (`UnitCount`), moved by
  `Complaint.save`/`delete` in the same transaction as the change they count, with
  ``UPDATE … SET n = n + d`` (no read-modify-write race between transitions);
- `overdue` depends on the moment (a deadline passes with no event), so it is never
  stored: it is the open complaints whose running deadline is before now, counted per
  unit from the (status, deadline, unit) indexes, which only walk the overdue rows.

Writes that skip `save` (bulk_create, queryset.update) skip the counters too:
`loket complaint-counts check` recomputes them and reports any drift, `repair` fixes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q

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


def overdue_filter(now: dt.datetime) -> Q:
    """Open complaints whose running clock (verification or tier) ran out before now."""
    return Q(status=Status.RECEIVED, verify_due_at__lt=now) | Q(
        status__in=HANDLING_STATUSES, due_at__lt=now
    )


def overdue_per_unit(now: dt.datetime) -> dict[int, int]:
    """Overdue complaints per unit id: one query that walks only the overdue rows.

    Each clock is one range of its (status, deadline, unit) covering index; they are
    joined with UNION ALL and grouped, because with an OR, or with GROUP BY on the
    table itself, SQLite prefers to scan the whole table through the unit index.
    """
    with connection.cursor() as cursor:
        cursor.execute(*overdue_sql(now))
        return dict(cursor.fetchall())


def overdue_sql(now: dt.datetime) -> tuple[str, tuple[Any, ...]]:
    verifying = Complaint.objects.filter(status=Status.RECEIVED, verify_due_at__lt=now)
    handling = Complaint.objects.filter(status__in=HANDLING_STATUSES, due_at__lt=now)
    union = (
        verifying.order_by()
        .values_list("unit_id")
        .union(handling.order_by().values_list("unit_id"), all=True)
    )
    sql, params = union.query.sql_with_params()
    # Django-built SQL with bound parameters.
    return f"SELECT unit_id, COUNT(*) FROM ({sql}) overdue GROUP BY unit_id", tuple(params)  # noqa: S608


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
    rows = (
        Complaint.objects.order_by()
        .values("unit_id")
        .annotate(
            received=Count("pk"),
            resolved=Count("pk", filter=Q(status__in=RESOLVED_STATUSES, answered_on_time=True)),
        )
    )
    return {r["unit_id"]: (r["received"], r["resolved"]) for r in rows if r["received"]}


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
