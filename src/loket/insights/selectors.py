"""Read-only queries: case histories for the KPI rules, and the rollup for the pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from loket.calendar import workingtime
from loket.cases.models import Case, CaseEvent, Task
from loket.catalog.definitions import ServiceDefinition, compiled
from loket.catalog.models import Service
from loket.insights import anomalies
from loket.insights.kpi import (
    CaseHistory,
    ComplaintRecord,
    Event,
    Period,
    StepTask,
    TaskRecord,
)
from loket.insights.xes import LogEvent
from loket.org.models import Unit

# Only these kinds shape a KPI; the rest of the history is not read.
KPI_EVENT_KINDS = (
    "submitted",
    "declared_complete",
    "auto_step",
    "awaiting_applicant",
    "awaiting_payment",
    "resubmitted",
    "paid",
    "closed",
)


def month_period(month: dt.date) -> Period:
    """The calendar month that starts on `month`, in the agency time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone)
    return Period(start, following)


def _deadline(definition: ServiceDefinition, day_length: dt.timedelta) -> dt.timedelta | None:
    deadline = definition.service_deadline
    if deadline.get("working_days") is not None:
        return day_length * int(deadline["working_days"])
    if deadline.get("working_hours") is not None:
        return dt.timedelta(hours=float(deadline["working_hours"]))
    return None


def histories(*, service: Service, period: Period) -> list[CaseHistory]:
    """Histories of the service's cases submitted or closed in the period (two queries)."""
    return _histories(Q(service=service), period, service.agency_id)


def unit_histories(*, unit: Unit, period: Period) -> list[CaseHistory]:
    """Histories of all the unit's services' cases submitted or closed in the period."""
    return _histories(Q(service__unit=unit), period, unit.agency_id)


def _histories(scope: Q, period: Period, agency_id: int) -> list[CaseHistory]:
    cases = list(
        Case.objects.filter(scope)
        .filter(
            Q(submitted_at__gte=period.start, submitted_at__lt=period.end)
            | Q(closed_at__gte=period.start, closed_at__lt=period.end)
        )
        .select_related("service_version")
        .only(
            "pk",
            "tracking_number",
            "submitted_at",
            "service_version__definition",
            "service_version__content_hash",
        )
    )
    return _build(cases, agency_id)


def open_histories(*, service: Service, moment: dt.datetime) -> list[CaseHistory]:
    """Histories of the service's cases open at `moment`."""
    cases = list(
        Case.objects.filter(service=service, submitted_at__lte=moment)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=moment))
        .select_related("service_version")
        .only(
            "pk",
            "tracking_number",
            "submitted_at",
            "service_version__definition",
            "service_version__content_hash",
        )
    )
    return _build(cases, service.agency_id)


def _build(cases: list[Case], agency_id: int) -> list[CaseHistory]:
    events: dict[int, list[Event]] = defaultdict(list)
    rows = (
        CaseEvent.objects.filter(case__in=[c.pk for c in cases], kind__in=KPI_EVENT_KINDS)
        .order_by("case_id", "sequence")
        .values_list("case_id", "at", "kind", "action", "step_id", "reason")
    )
    for case_id, at, kind, action, step_id, reason in rows:
        events[case_id].append(Event(at, kind, action, step_id, reason))
    day_length = workingtime._rules(agency_id).day_length
    result = []
    for case in cases:
        definition = compiled(case.service_version)
        result.append(
            CaseHistory(
                tracking_number=case.tracking_number,
                submitted_at=case.submitted_at,
                events=tuple(events[case.pk]),
                service_deadline=_deadline(definition, day_length),
                complete_on_submission=definition.completeness_step is None,
            )
        )
    return result


def task_records(*, scope: Q, period: Period) -> list[TaskRecord]:
    """Tasks decided in the period (scope on the task, e.g. Q(case__service=s)), K8 and K9."""
    rows = (
        Task.objects.filter(scope, decided_at__gte=period.start, decided_at__lt=period.end)
        .order_by()
        .values_list(
            "position__code",
            "due_at",
            "decided_at",
            "decided_by_id",
            "decided_capacity",
            "escalated_at",
        )
    )
    return [
        TaskRecord(
            position, due, decided, str(officer or ""), capacity or "", escalated is not None
        )
        for position, due, decided, officer, capacity, escalated in rows
    ]


def unit_subtree(unit_id: int) -> set[int]:
    """The unit and every unit below it (one query): complaints are handled in divisions."""
    unit = Unit.objects.only("agency_id").get(pk=unit_id)
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in Unit.objects.filter(agency_id=unit.agency_id).values_list("pk", "parent_id"):
        if parent is not None:
            children[parent].append(pk)
    found, todo = set(), [unit_id]
    while todo:
        current = todo.pop()
        if current not in found:  # guards against a cycle
            found.add(current)
            todo.extend(children[current])
    return found


def complaint_records(
    *, period: Period, service_id: int | None = None, unit_id: int | None = None
) -> list[ComplaintRecord]:
    """K11 inputs: complaints received in the period about a service, or (for a unit)
    handled within the unit's subtree or about one of its services."""
    from loket.complaints import selectors as complaints

    rows = complaints.handling_rows(
        start=period.start,
        end=period.end,
        service_id=service_id,
        unit_ids=unit_subtree(unit_id) if unit_id is not None else None,
    )
    return [ComplaintRecord(*row) for row in rows]


def event_log(*, unit_id: int, period: Period | None) -> Iterator[LogEvent]:
    """Every event of the unit's cases (submitted in the period), case by case, streamed."""
    cases = Case.objects.filter(service__unit_id=unit_id)
    if period is not None:
        cases = cases.filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
    rows = (
        CaseEvent.objects.filter(case__in=cases.values("pk"))
        .order_by("case_id", "sequence")
        .values_list(
            "case__tracking_number",
            "case__service__code",
            "at",
            "kind",
            "step_id",
            "action",
            "position__code",
            "capacity",
        )
    )
    for number, service, at, kind, step_id, action, position, capacity in rows.iterator(2000):
        yield LogEvent(number, service, at, kind, step_id, action, position or "", capacity)


def step_tasks(*, unit_id: int, period: Period) -> list[StepTask]:
    """The unit's tasks decided in the period, for the bottlenecks per step (one query)."""
    rows = (
        Task.objects.filter(
            case__service__unit_id=unit_id,
            decided_at__gte=period.start,
            decided_at__lt=period.end,
        )
        .order_by()
        .values_list("step_id", "created_at", "claimed_at", "decided_at", "decision", "reason")
    )
    return [
        StepTask(step, created, claimed, decided, decision, reason)
        for step, created, claimed, decided, decision, reason in rows
        if decided is not None  # the filter guarantees it; the type does not
    ]


def decisions(*, unit_id: int, period: Period) -> list[anomalies.Decision]:
    """The unit's task decisions in the period as the anomaly rules read them (one query).

    The applicant is the keyed NIK look-up hash, never the NIK.
    """
    rows = (
        Task.objects.filter(
            case__service__unit_id=unit_id, decided_at__gte=period.start, decided_at__lt=period.end
        )
        .order_by("decided_at", "pk")
        .values_list(
            "case__tracking_number", "step_id", "decided_by__name", "created_at", "decided_at",
            "case__applicant_nik_hash", "case__service__code",
        )
    )  # fmt: skip
    return [
        anomalies.Decision(number, step, officer or "", opened, decided, applicant, service)
        for number, step, officer, opened, decided, applicant, service in rows
        if decided is not None
    ]


def applications(
    *, unit_id: int, start: dt.datetime, end: dt.datetime
) -> list[anomalies.Application]:
    """The unit's applications submitted in [start, end), keyed by the NIK look-up hash."""
    rows = (
        Case.objects.filter(service__unit_id=unit_id, submitted_at__gte=start, submitted_at__lt=end)
        .order_by("submitted_at", "pk")
        .values_list("tracking_number", "applicant_nik_hash", "service__code", "submitted_at")
    )
    return [anomalies.Application(*row) for row in rows]


def event_count(*, unit_id: int, period: Period | None) -> int:
    """How many events `event_log` yields (one COUNT), for the export's progress."""
    cases = Case.objects.filter(service__unit_id=unit_id)
    if period is not None:
        cases = cases.filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
    return CaseEvent.objects.filter(case__in=cases.values("pk")).count()
