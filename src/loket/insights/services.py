"""Operations of the insights app: keeping the monthly rollup fresh."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from loket.catalog.models import Service
from loket.insights import kpi, selectors
from loket.insights.models import MonthlyRollup
from loket.org.models import Unit


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _figures(
    cases: list[kpi.CaseHistory],
    tasks: list[kpi.TaskRecord],
    complaints: list[kpi.ComplaintRecord],
    period: kpi.Period,
    agency_id: int,
) -> dict[str, object]:
    clock = kpi.AgencyClock(agency_id)
    handling = kpi.complaint_handling(complaints, period, clock)
    volume = kpi.volume(cases, period)
    sla = kpi.sla_compliance(cases, period, clock)
    from_complete = kpi.processing_time(cases, period, clock, from_submission=False)
    from_submission = kpi.processing_time(cases, period, clock, from_submission=True)
    acting = kpi.acting_share(tasks, period)
    decided = kpi.decided_in(cases, period)
    return {
        "submitted": volume.submitted,
        "approved": volume.approved,
        "rejected": volume.rejected,
        "rejected_automatically": sum(1 for c in decided if c.is_rejected_automatically),
        "cancelled": volume.cancelled,
        "online": kpi.digital_share(cases, period).count,
        "sla_on_time": sla.count,
        "sla_total": sla.total,
        "median_days": from_complete.median,
        "p90_days": from_complete.p90,
        "median_days_from_submission": from_submission.median,
        "p90_days_from_submission": from_submission.p90,
        "first_time_right": kpi.first_time_right(cases, period).count,
        "returns_total": sum(len(c.returns) for c in decided),
        "acting_decisions": acting.count,
        "decisions": acting.total,
        "complaints_received": handling.received,
        "complaints_to_resolve": handling.to_resolve,
        "complaints_on_time": handling.resolved_on_time,
        "complaint_median_days": handling.median_days,
        "refreshed_at": timezone.now(),
    }


@transaction.atomic
def refresh_rollup(*, service: Service, month: dt.date) -> MonthlyRollup:
    """Recompute one service's figures for one month from its case events (idempotent)."""
    period = selectors.month_period(month)
    cases = selectors.histories(service=service, period=period)
    tasks = selectors.task_records(scope=Q(case__service=service), period=period)
    complaints = selectors.complaint_records(service_id=service.pk, period=period)
    figures = _figures(cases, tasks, complaints, period, service.agency_id)
    rollup, _created = MonthlyRollup.objects.update_or_create(
        service=service, month=month, defaults={"unit_id": service.unit_id, **figures}
    )
    return rollup


@transaction.atomic
def refresh_unit_rollup(*, unit: Unit, month: dt.date) -> MonthlyRollup:
    """Recompute a unit's figures over all its services' cases for one month."""
    period = selectors.month_period(month)
    cases = selectors.unit_histories(unit=unit, period=period)
    tasks = selectors.task_records(scope=Q(case__service__unit=unit), period=period)
    complaints = selectors.complaint_records(unit_id=unit.pk, period=period)
    figures = _figures(cases, tasks, complaints, period, unit.agency_id)
    rollup, _created = MonthlyRollup.objects.update_or_create(
        service=None, unit=unit, month=month, defaults=figures
    )
    return rollup


def refresh_recent(*, now: dt.datetime | None = None) -> int:
    """Refresh this month and last month for every service (late closings change both)."""
    month = month_of(now or timezone.now())
    refreshed = 0
    for each in (previous_month(month), month):
        for service in Service.objects.all():
            refresh_rollup(service=service, month=each)
            refreshed += 1
        for unit in Unit.objects.filter(services__isnull=False).distinct():
            refresh_unit_rollup(unit=unit, month=each)
            refreshed += 1
    return refreshed
