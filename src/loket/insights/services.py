"""Operations of the insights app: keeping the monthly rollup fresh."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from loket.catalog.models import Service
from loket.insights import anomalies, kpi, selectors
from loket.insights.models import AnomalyFlag, MonthlyRollup, OfficerRollup, StepRollup
from loket.org.models import Unit

# Flags kept per unit and month: a rule gone wild must not fill the table.
FLAG_LIMIT = 1000


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
    refresh_steps(unit=unit, month=month)
    refresh_officers(unit=unit, month=month)
    refresh_flags(unit=unit, month=month)
    return rollup


@transaction.atomic
def refresh_officers(*, unit: Unit, month: dt.date) -> list[OfficerRollup]:
    """Recompute the People section of the unit for one month (replaces the month's rows)."""
    from loket.insights import skp

    people = skp.unit_officers(unit_ids=[unit.pk], period=selectors.month_period(month))
    OfficerRollup.objects.filter(unit=unit, month=month).delete()
    now = timezone.now()
    return OfficerRollup.objects.bulk_create(
        OfficerRollup(
            unit=unit,
            month=month,
            officer_id=person["officer_id"],
            decided=person["decided"],
            on_time_percent=person["on_time_percent"],
            acting_percent=person["acting_percent"],
            refreshed_at=now,
        )
        for person in people
    )


@transaction.atomic
def refresh_steps(*, unit: Unit, month: dt.date) -> list[StepRollup]:
    """Recompute the unit's bottlenecks per step for one month (replaces the month's rows)."""
    period = selectors.month_period(month)
    figures = kpi.step_bottlenecks(selectors.step_tasks(unit_id=unit.pk, period=period))
    StepRollup.objects.filter(unit=unit, month=month).delete()
    now = timezone.now()
    return StepRollup.objects.bulk_create(
        StepRollup(
            unit=unit,
            month=month,
            step_id=f.step_id,
            decided=f.decided,
            wait_median_hours=f.wait_median_hours,
            wait_mean_hours=f.wait_mean_hours,
            decide_median_hours=f.decide_median_hours,
            decide_mean_hours=f.decide_mean_hours,
            returns=f.returns,
            top_reasons=[list(pair) for pair in f.top_reasons],
            refreshed_at=now,
        )
        for f in figures
    )


def detect_anomalies(*, unit: Unit, month: dt.date) -> list[anomalies.Flag]:
    """Every anomaly rule over the unit's decisions and applications of the month."""
    from loket.calendar.workingtime import working_time_between

    period = selectors.month_period(month)
    decisions = selectors.decisions(unit_id=unit.pk, period=period)
    # The repeat rule looks back one window before the month, so a run across the
    # month's start is seen; only runs ending in the month are kept below.
    window = dt.timedelta(days=float(getattr(settings, "LOKET_ANOMALY_REPEAT_DAYS", 30)))
    applications = selectors.applications(
        unit_id=unit.pk, start=period.start - window, end=period.end
    )
    in_month = {a.tracking_number for a in applications if a.submitted_at in period}
    minute = dt.timedelta(minutes=1)
    agency_id = unit.agency_id

    def in_office(moment: dt.datetime) -> bool:
        return working_time_between(agency_id, moment, moment + minute) > dt.timedelta(0)

    return [
        *anomalies.outside_office_hours(decisions, in_office=in_office),
        *anomalies.much_faster_than_usual(decisions),
        *anomalies.officer_concentration(decisions),
        *(
            flag
            for flag in anomalies.repeated_applications(applications)
            if flag.tracking_number in in_month
        ),
    ]


@transaction.atomic
def refresh_flags(*, unit: Unit, month: dt.date) -> list[AnomalyFlag]:
    """Re-run the anomaly rules for one unit and month and keep what fired (idempotent)."""
    flags = detect_anomalies(unit=unit, month=month)
    AnomalyFlag.objects.filter(unit=unit, month=month).delete()
    now = timezone.now()
    return AnomalyFlag.objects.bulk_create(
        AnomalyFlag(
            unit=unit,
            month=month,
            rule=flag.rule,
            tracking_number=flag.tracking_number,
            explanation=flag.explanation[:300],
            detected_at=now,
        )
        for flag in flags[:FLAG_LIMIT]
    )


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
