"""Read-only questions about the organisation: who may act for which position, and when."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from loket.core import prepared
from loket.org import cache
from loket.org.models import Agency, Appointment, Capacity, Officer, Position, Unit

# Strongest authority first: a definitive holder before an acting one.
_CAPACITY_RANK = {Capacity.DEFINITIVE: 0, Capacity.PLT: 1, Capacity.PLH: 2}


@dataclass(frozen=True)
class Holding:
    """An officer may act for a position, in a capacity, by virtue of an appointment."""

    officer: Officer
    position: Position
    capacity: Capacity
    appointment: Appointment


@lru_cache(maxsize=4)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_date(at: dt.datetime) -> dt.date:
    """The calendar date of moment `at` in the agency time zone (settings.TIME_ZONE)."""
    if not isinstance(at, dt.datetime) or at.utcoffset() is None:
        raise ValueError("authority is asked about an aware datetime, not a date or naive time")
    return at.astimezone(_zone(settings.TIME_ZONE)).date()


def _current(day: dt.date) -> QuerySet[Appointment]:
    """Appointments in force on `day` whose officer and sign-in account are both active."""
    return Appointment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        start_date__lte=day,
        officer__is_active=True,
        officer__user__is_active=True,
    ).select_related("officer", "officer__user", "position")


def _holdings(appointments: QuerySet[Appointment]) -> list[Holding]:
    holdings = [
        Holding(
            officer=a.officer,
            position=a.position,
            capacity=Capacity(a.capacity),
            appointment=a,
        )
        for a in appointments
    ]
    holdings.sort(key=lambda h: (_CAPACITY_RANK[h.capacity], h.appointment.start_date))
    return holdings


def holders_at(position: Position, at: dt.datetime) -> list[Holding]:
    """Who may act for `position` at moment `at`, definitive holders first. One query."""
    return _holdings(_current(local_date(at)).filter(position=position))


def holdings_of(officer: Officer, at: dt.datetime) -> list[Holding]:
    """The positions `officer` may act for at moment `at`. One query (none if inactive)."""
    if not officer.is_active:
        return []
    return _holdings(
        _current(local_date(at))
        .filter(officer=officer)
        .select_related("position__unit", "position__agency")
    )


def may_act(officer: Officer, position: Position, at: dt.datetime) -> Holding | None:
    """The holding by which `officer` may act for `position` at `at`, the strongest if several."""
    if not officer.is_active:
        return None
    holdings = _holdings(_current(local_date(at)).filter(officer=officer, position=position))
    return holdings[0] if holdings else None


def may_act_with(
    officer: Officer,
    position: Position,
    at: dt.datetime,
    also: tuple[str, Sequence[Any]] | None = None,
    *,
    read: Any = cache.UNREAD,
) -> tuple[Holding | None, Any]:
    """As `may_act`, and in the same statement the value of `also`, a scalar SQL
    expression with its parameters that the caller needs at the same moment (e.g. a
    check of its own); (None, None) when the officer does not hold the position.

    One narrow statement: the organisation revision, read at the moment of the act,
    with `also`; the appointments themselves come from the per-process cache of that
    revision (`loket.org.cache`), read again only after a change to the organisation.
    `read`: that statement's row (`authority_statement`), when the caller sent it already."""
    if not officer.is_active:
        return None, None
    current = cache.revision_with(also, read=read)
    if current is None:  # no revision yet: nothing to compare a cached copy with
        holding = may_act(officer, position, at)
        return holding, (_scalar(also) if holding is not None and also is not None else None)
    revision, value = current
    day = local_date(at)
    in_force = [
        a
        for a in cache.appointments(officer.pk, position.pk, revision)
        if a.start_date <= day and (a.end_date is None or a.end_date >= day)
    ]
    holdings = _holdings(in_force)  # type: ignore[arg-type]
    if not holdings:
        return None, None
    return holdings[0], value


def authority_statement(
    also: tuple[str, Sequence[Any]] | None = None,
) -> tuple[str, Sequence[Any]]:
    """The statement `may_act_with(..., also)` reads, for a caller that sends it together
    with its own (its row goes back as `read`)."""
    return cache.revision_statement(also)


def _scalar(expression: tuple[str, Sequence[Any]]) -> Any:
    with prepared.statement_cursor(transaction.get_connection()) as cursor:
        cursor.execute(f"SELECT ({expression[0]})", expression[1])
        row = cursor.fetchone()
    return row[0] if row else None


def acting_days_left(holding: Holding, at: dt.datetime) -> int | None:
    """Days until a Plt/Plh designation ends, when within the agency's warning period."""
    appointment = holding.appointment
    if appointment.capacity == "definitive" or appointment.end_date is None:
        return None
    left = (appointment.end_date - local_date(at)).days
    warn = holding.position.agency.acting_warning_days
    return left if 0 <= left <= warn else None


def superior_of(position: Position) -> Position | None:
    """The position that supervises `position`.

    A staff position answers to the head of its own unit; a head answers to the
    head of the parent unit. A unit without a head position is skipped, so the
    answer is the nearest head above. Two queries whatever the depth.
    """
    heads = {
        head.unit_id: head
        for head in Position.objects.filter(agency_id=position.agency_id, is_head=True)
        .select_related("unit", "agency")
        .order_by()
    }
    parents = dict(Unit.objects.filter(agency_id=position.agency_id).values_list("id", "parent_id"))
    unit_id: int | None = parents.get(position.unit_id) if position.is_head else position.unit_id
    seen: set[int] = set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)  # guards against a cycle an admin might create
        head = heads.get(unit_id)
        if head is not None and head.pk != position.pk:
            return head
        unit_id = parents.get(unit_id)
    return None


def head_of_unit(unit: Unit) -> Position | None:
    """The head position of `unit`, or of the nearest unit above it that has one."""
    heads = {
        head.unit_id: head
        for head in Position.objects.filter(agency_id=unit.agency_id, is_head=True)
        .select_related("unit", "agency")
        .order_by()
    }
    parents = dict(Unit.objects.filter(agency_id=unit.agency_id).values_list("id", "parent_id"))
    unit_id: int | None = unit.pk
    seen: set[int] = set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)
        if unit_id in heads:
            return heads[unit_id]
        unit_id = parents.get(unit_id)
    return None


def position_by_code(agency: Agency, code: str) -> Position | None:
    """The agency's position with that code, or None."""
    return (
        Position.objects.select_related("unit", "agency").filter(agency=agency, code=code).first()
    )


def units_within(agency_id: int, roots: set[int]) -> frozenset[int]:
    """The units in `roots` and every unit below them, in one query."""
    parents = dict(Unit.objects.filter(agency_id=agency_id).values_list("id", "parent_id"))
    found = set(roots)
    changed = True
    while changed:  # one pass per level of the tree; trees are a few levels deep
        changed = False
        for unit_id, parent_id in parents.items():
            if parent_id in found and unit_id not in found:
                found.add(unit_id)
                changed = True
    return frozenset(found)
