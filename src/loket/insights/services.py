"""Operations of the insights app: keeping the monthly rollup fresh."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from loket.catalog.models import Service
from loket.insights import kpi, selectors
from loket.insights.models import MonthlyRollup


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


@transaction.atomic
def refresh_rollup(*, service: Service, month: dt.date) -> MonthlyRollup:
    """Recompute one service's figures for one month from its case events (idempotent)."""
    period = selectors.month_period(month)
    clock = kpi.AgencyClock(service.agency_id)
    cases = selectors.histories(service=service, period=period)
    volume = kpi.volume(cases, period)
    sla = kpi.sla_compliance(cases, period, clock)
    from_complete = kpi.processing_time(cases, period, clock, from_submission=False)
    from_submission = kpi.processing_time(cases, period, clock, from_submission=True)
    tasks = selectors.task_records(service=service, period=period)
    acting = kpi.acting_share(tasks, period)
    decided = kpi.decided_in(cases, period)
    rollup, _created = MonthlyRollup.objects.update_or_create(
        service=service,
        month=month,
        defaults={
            "unit_id": service.unit_id,
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
            "refreshed_at": timezone.now(),
        },
    )
    return rollup


def refresh_recent(*, now: dt.datetime | None = None) -> int:
    """Refresh this month and last month for every service (late closings change both)."""
    month = month_of(now or timezone.now())
    refreshed = 0
    for service in Service.objects.all():
        for each in (previous_month(month), month):
            refresh_rollup(service=service, month=each)
            refreshed += 1
    return refreshed
