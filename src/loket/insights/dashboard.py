"""What the head of a unit and the public see: read from the rollup, plus small live counts.

Each function here runs a fixed number of queries, whatever the number of cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, Q

from loket.cases.models import CLOSED_STATUSES, Case, CaseStatus, Task, TaskStatus
from loket.insights import anomalies, kpi
from loket.insights.models import (
    AnomalyFlag,
    Indicator,
    MonthlyRollup,
    OfficerRollup,
    StepRollup,
    Target,
)
from loket.insights.services import previous_month

TREND_MONTHS = 12
# The page lists at most this many flags; the inspectorate narrows by month.
ANOMALY_LIMIT = 200


def months_back(month: dt.date, count: int) -> list[dt.date]:
    """`count` months ending with `month`, oldest first."""
    months = [month]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return list(reversed(months))


@dataclass(frozen=True)
class Tile:
    indicator: str
    label: str
    this_month: float | None
    last_month: float | None
    target: Target | None = None
    note: str = ""

    @property
    def achievement(self) -> Decimal | None:
        target, actual = self.target, self.this_month
        if target is None or actual is None:
            return None
        return kpi.achievement(
            actual=Decimal(str(actual)),
            target=target.value,
            higher_is_better=target.higher_is_better,
            lower_formula=target.lower_formula,
        )

    @property
    def meets_target(self) -> bool | None:
        target, actual = self.target, self.this_month
        if target is None or actual is None:
            return None
        value = float(target.value)
        return actual >= value if target.higher_is_better else actual <= value


def _value(row: MonthlyRollup | None, indicator: str) -> float | None:
    if row is None:
        return None
    values = {
        Indicator.DECIDED: float(row.decided),
        Indicator.SLA: row.sla_percent,
        Indicator.MEDIAN_DAYS: row.median_days,
        Indicator.P90_DAYS: row.p90_days,
        Indicator.FIRST_TIME_RIGHT: row.first_time_right_percent,
        Indicator.COMPLAINTS_ON_TIME: row.complaints_on_time_percent,
    }
    return values.get(Indicator(indicator))


TILE_INDICATORS = (
    Indicator.DECIDED,
    Indicator.SLA,
    Indicator.MEDIAN_DAYS,
    Indicator.P90_DAYS,
    Indicator.FIRST_TIME_RIGHT,
    Indicator.COMPLAINTS_ON_TIME,
)


def targets_for(
    unit_ids: Iterable[int], month: dt.date
) -> dict[tuple[int, int | None, str], Target]:
    """The target that applies per (unit, service, indicator): the monthly one, else the yearly."""
    found: dict[tuple[int, int | None, str], Target] = {}
    rows = Target.objects.filter(unit_id__in=list(unit_ids), year=month.year).filter(
        Q(month=month.month) | Q(month__isnull=True)
    )
    for target in sorted(rows, key=lambda t: t.month is not None):
        found[(target.unit_id, target.service_id, target.indicator)] = target
    return found


@dataclass
class UnitDashboard:
    month: dt.date
    tiles: list[Tile]
    trend: list[MonthlyRollup | None]
    trend_months: list[dt.date]
    services: list[dict[str, object]]
    bottlenecks: list[dict[str, object]]
    queue: list[dict[str, object]]
    exposed: list[Case]
    backlog: dict[str, int] = field(default_factory=dict)
    refreshed_at: dt.datetime | None = None
    flags: list[anomalies.Flag] = field(default_factory=list)
    complaints: dict[str, int] = field(default_factory=dict)


def ikm_results(
    *, unit_id: int, service_ids: Iterable[int], until: dt.date
) -> dict[int | None, list[Any]]:
    """K10: published IKM results per service (None: unit-wide periods), oldest first,
    of the periods that began by `until` (one query). A draft tally is never read."""
    from loket.surveys.models import Result

    found: dict[int | None, dict[int, Any]] = defaultdict(dict)
    rows = (
        Result.objects.filter(period__unit_id=unit_id, period__starts_on__lte=until)
        .filter(Q(period__service__isnull=True) | Q(period__service__in=list(service_ids)))
        .select_related("period")
        .order_by("period__starts_on", "-published_at")
    )
    for result in rows:
        # The latest publication of each period stands.
        found[result.period.service_id].setdefault(result.period_id, result)
    return {key: list(periods.values()) for key, periods in found.items()}


def _ikm_tile(results: list[Any], target: Target | None) -> Tile:
    latest = results[-1] if results else None
    earlier = results[-2] if len(results) > 1 else None
    return Tile(
        indicator=str(Indicator.IKM),
        label=str(Indicator.IKM.label),
        this_month=float(latest.ikm) if latest else None,
        last_month=float(earlier.ikm) if earlier else None,
        target=target,
        note=f"{latest.period.name} ({latest.grade})" if latest else "",
    )


def unit_dashboard(
    *, unit_id: int, agency_id: int, month: dt.date, now: dt.datetime
) -> UnitDashboard:
    """The head's dashboard for one unit and month (a fixed number of queries)."""
    months = months_back(month, TREND_MONTHS)
    rows = list(
        MonthlyRollup.objects.filter(unit_id=unit_id, month__in=months).select_related("service")
    )
    unit_rows = {r.month: r for r in rows if r.service_id is None}
    targets = targets_for([unit_id], month)
    this, last = unit_rows.get(month), unit_rows.get(previous_month(month))
    tiles = [
        Tile(
            indicator=str(indicator),
            label=str(indicator.label),
            this_month=_value(this, indicator),
            last_month=_value(last, indicator),
            target=targets.get((unit_id, None, str(indicator))),
        )
        for indicator in TILE_INDICATORS
    ]
    services = [
        {
            "row": r,
            "sla": Tile(
                str(Indicator.SLA), "", r.sla_percent, None,
                targets.get((unit_id, r.service_id, str(Indicator.SLA))),
            ),
            "median": Tile(
                str(Indicator.MEDIAN_DAYS), "", r.median_days, None,
                targets.get((unit_id, r.service_id, str(Indicator.MEDIAN_DAYS))),
            ),
        }
        for r in sorted(rows, key=lambda r: r.service.name if r.service else "")
        if r.service_id is not None and r.month == month
    ]  # fmt: skip
    ikm = ikm_results(
        unit_id=unit_id, service_ids=[r.service_id for r in rows if r.service_id], until=month
    )
    tiles.append(_ikm_tile(ikm.get(None, []), targets.get((unit_id, None, str(Indicator.IKM)))))
    for item in services:
        row = item["row"]
        assert isinstance(row, MonthlyRollup)
        item["ikm"] = _ikm_tile(
            ikm.get(row.service_id) or ikm.get(None, []),
            targets.get((unit_id, row.service_id, str(Indicator.IKM))),
        )
        item["complaints"] = Tile(
            str(Indicator.COMPLAINTS_ON_TIME), "", row.complaints_on_time_percent, None,
            targets.get((unit_id, row.service_id, str(Indicator.COMPLAINTS_ON_TIME))),
        )  # fmt: skip
    return UnitDashboard(
        month=month,
        tiles=tiles,
        trend=[unit_rows.get(m) for m in months],
        trend_months=months,
        services=services,
        bottlenecks=bottlenecks(unit_id=unit_id, month=month),
        queue=queue_age(unit_id=unit_id, now=now),
        exposed=fiktif_positif(unit_id=unit_id, now=now),
        backlog=backlog(unit_id=unit_id, now=now),
        refreshed_at=max((r.refreshed_at for r in rows), default=None),
        flags=anomaly_flags(unit_id=unit_id, month=month),
        complaints=_open_complaints(unit_id=unit_id, now=now),
    )


def _open_complaints(*, unit_id: int, now: dt.datetime) -> dict[str, int]:
    from loket.complaints import selectors as complaints
    from loket.insights.selectors import unit_subtree

    return complaints.open_counts(unit_ids=unit_subtree(unit_id), now=now)


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def bottlenecks(*, unit_id: int, month: dt.date) -> list[dict[str, object]]:
    """Per step, from the worker's rollup (one query): median and mean hours waiting
    before pick-up and to decide, returns and their top reasons."""
    rows = StepRollup.objects.filter(unit_id=unit_id, month=month).order_by(
        F("wait_median_hours").desc(nulls_last=True), "step_id"
    )
    return [
        {
            "step": row.step_id,
            "decided": row.decided,
            "wait_hours": row.wait_median_hours,
            "wait_mean_hours": row.wait_mean_hours,
            "decide_hours": row.decide_median_hours,
            "decide_mean_hours": row.decide_mean_hours,
            "returns": row.returns,
            "top_reasons": [(str(reason), int(count)) for reason, count in row.top_reasons],
        }
        for row in rows
    ]


def people(*, unit_id: int, month: dt.date) -> list[dict[str, object]]:
    """The People section from the worker's rollup (one query), by name: no league table."""
    rows = (
        OfficerRollup.objects.filter(unit_id=unit_id, month=month)
        .select_related("officer")
        .only("officer__name", "decided", "on_time_percent", "acting_percent")
        .order_by("officer__name", "officer_id")
    )
    return [
        {
            "officer_id": row.officer_id,
            "name": row.officer.name,
            "decided": row.decided,
            "on_time_percent": row.on_time_percent,
            "acting_percent": row.acting_percent,
        }
        for row in rows
    ]


def queue_age(*, unit_id: int, now: dt.datetime) -> list[dict[str, object]]:
    """Open tasks per position of the unit's services, with the oldest one's age in hours."""
    rows = (
        Task.objects.filter(case__service__unit_id=unit_id, status=TaskStatus.OPEN)
        .values("position__code", "position__title")
        .annotate(
            open=Count("pk"),
            oldest=Min("created_at"),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
        )
        .order_by("oldest")
    )
    return [
        {
            "position": row["position__title"],
            "code": row["position__code"],
            "open": row["open"],
            "overdue": row["overdue"],
            "oldest_hours": _hours(now - row["oldest"]),
        }
        for row in rows
    ]


# Listed positively, so the (service, status) index finds the open cases without
# reading the closed history (a NOT IN reads every case of the service).
OPEN_STATUSES = tuple(s for s in CaseStatus.values if s not in CLOSED_STATUSES)


def _open_cases(unit_id: int) -> Q:
    # closed_at IS NULL matches the partial index of open cases (a literal, which SQLite
    # can prove; it cannot for an IN list of parameters).
    return Q(service__unit_id=unit_id, status__in=OPEN_STATUSES, closed_at__isnull=True)


def fiktif_positif(*, unit_id: int, now: dt.datetime) -> list[Case]:
    """K12: open running cases past their statutory deadline, by tracking number."""
    return list(
        Case.objects.filter(
            _open_cases(unit_id), complete_at__isnull=False, paused_at__isnull=True, due_at__lt=now
        )
        .select_related("service")
        .only("tracking_number", "due_at", "complete_at", "service__name")
        .order_by("due_at")[:200]
    )


def backlog(*, unit_id: int, now: dt.datetime) -> dict[str, int]:
    """K4 at `now` from the engine's own clock fields (one query)."""
    waiting = Q(status__startswith="awaiting")
    return Case.objects.filter(_open_cases(unit_id)).aggregate(
        open=Count("pk"),
        waiting=Count("pk", filter=waiting),
        overdue=Count("pk", filter=Q(paused_at__isnull=True, due_at__lt=now) & ~waiting),
    )


def parse_month(text: str | None, *, today: dt.date) -> dt.date:
    """'2026-07' to 1 July 2026; empty means this month. Raises ValidationError naming `bulan`."""
    from django.utils.translation import gettext as _

    from loket.core.errors import ValidationError

    if not text:
        return today.replace(day=1)
    try:
        month = dt.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 (the date only)
    except ValueError:
        raise ValidationError(_("Give the month as YYYY-MM."), field="bulan") from None
    if not 2000 <= month.year <= today.year + 1:
        raise ValidationError(_("Give the month as YYYY-MM."), field="bulan")
    return month


@dataclass(frozen=True)
class PublicService:
    """One service's public monthly figures: no officer-level data."""

    service: object
    months: list[dt.date]
    rows: list[MonthlyRollup | None]
    ikm: list[object]


def public_performance(*, agency_id: int, month: dt.date) -> list[PublicService]:
    """K1, K2, K3 per service per month for twelve months, and the published IKM results."""
    from loket.catalog.models import Service
    from loket.surveys.models import Result

    months = months_back(month, TREND_MONTHS)
    services = list(Service.objects.filter(agency_id=agency_id).order_by("name"))
    rows = MonthlyRollup.objects.filter(
        service__in=services, month__in=months
    ).only(
        "service_id", "month", "submitted", "approved", "rejected", "cancelled",
        "sla_on_time", "sla_total", "median_days", "median_days_from_submission", "refreshed_at",
        "complaints_received", "complaints_to_resolve", "complaints_on_time",
        "complaint_median_days",
    )  # fmt: skip
    by_key = {(r.service_id, r.month): r for r in rows}
    # Published survey results only (a draft tally is never public), latest per period:
    # the service's own periods and its unit's unit-wide periods.
    results: dict[int, dict[int, Result]] = defaultdict(dict)
    unit_ids = {s.unit_id for s in services}
    published = (
        Result.objects.filter(
            Q(period__service__in=services)
            | Q(period__service__isnull=True, period__unit_id__in=unit_ids)
        )
        .select_related("period")
        .order_by("period__starts_on", "-published_at")
    )
    for result in published:
        period = result.period
        for service in services:
            if period.service_id == service.pk or (
                period.service_id is None and period.unit_id == service.unit_id
            ):
                results[service.pk].setdefault(result.period_id, result)
    return [
        PublicService(
            service=service,
            months=months,
            rows=[by_key.get((service.pk, m)) for m in months],
            ikm=list(results[service.pk].values()),
        )
        for service in services
    ]


@dataclass(frozen=True)
class PublicComplaints:
    """One unit's public complaint handling (K11) per month, from the unit rollup."""

    unit: object
    months: list[dt.date]
    rows: list[MonthlyRollup | None]


def public_complaint_handling(*, agency_id: int, month: dt.date) -> list[PublicComplaints]:
    """K11 per unit that handled complaints, twelve months (one query)."""
    months = months_back(month, TREND_MONTHS)
    rows = list(
        MonthlyRollup.objects.filter(
            service__isnull=True, unit__agency_id=agency_id, month__in=months
        )
        .select_related("unit")
        .only(
            "unit__name", "unit__code", "month", "approved", "rejected",
            "complaints_received", "complaints_to_resolve", "complaints_on_time",
            "complaint_median_days",
        )
    )  # fmt: skip
    by_unit: dict[int, dict[dt.date, MonthlyRollup]] = defaultdict(dict)
    units = {}
    for row in rows:
        by_unit[row.unit_id][row.month] = row
        units[row.unit_id] = row.unit
    return [
        PublicComplaints(units[unit_id], months, [by_month.get(m) for m in months])
        for unit_id, by_month in sorted(by_unit.items(), key=lambda kv: units[kv[0]].name)
        if any(r.complaints_received for r in by_month.values())
    ]


def anomaly_flags(*, unit_id: int, month: dt.date) -> list[anomalies.Flag]:
    """The flags the worker kept for the unit and month (one query), each with its rule."""
    rows = AnomalyFlag.objects.filter(unit_id=unit_id, month=month).order_by(
        "rule", "tracking_number", "pk"
    )[:ANOMALY_LIMIT]
    return [
        anomalies.Flag(row.rule, row.tracking_number, row.explanation, row.get_rule_display())
        for row in rows
    ]
