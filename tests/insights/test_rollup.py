"""The worker's monthly rollup, from cases driven through the real case engine."""

from __future__ import annotations

import datetime as dt

import pytest

from loket.cases.models import Case
from loket.catalog.models import Service
from loket.insights import kpi, selectors, services
from loket.insights.models import MonthlyRollup
from tests.insights.conftest import at

pytestmark = pytest.mark.django_db

JULY = dt.date(2026, 7, 1)


def test_histories_agree_with_the_due_moment_the_case_shows(july_cases: tuple[Case, Case]) -> None:
    on_time, late = july_cases
    service = Service.objects.get(code="izin-usaha-mikro")
    built = {
        h.tracking_number: h
        for h in selectors.histories(service=service, period=selectors.month_period(JULY))
    }
    clock = kpi.AgencyClock(service.agency_id)
    for case in (on_time, late):
        assert kpi.due_at(built[case.tracking_number], clock) == case.due_at
    assert late.due_at == at(15)  # paused two working days: 13 July + 2


def test_refresh_writes_the_month_figures(july_cases: tuple[Case, Case]) -> None:
    service = Service.objects.get(code="izin-usaha-mikro")
    rollup = services.refresh_rollup(service=service, month=JULY)
    assert (rollup.submitted, rollup.approved, rollup.rejected, rollup.cancelled) == (2, 1, 1, 0)
    assert (rollup.sla_on_time, rollup.sla_total) == (1, 2)
    assert (rollup.first_time_right, rollup.returns_total) == (1, 1)
    # 2.0 and 7⅛ - 2 paused = 5.125 working days.
    assert rollup.median_days == pytest.approx(3.5625)
    assert rollup.p90_days == pytest.approx(5.125)
    assert rollup.decisions == 8  # three on the first case, five (one a return) on the second


def test_refresh_is_idempotent_and_updates_in_place(july_cases: tuple[Case, Case]) -> None:
    service = Service.objects.get(code="izin-usaha-mikro")
    services.refresh_rollup(service=service, month=JULY)
    services.refresh_rollup(service=service, month=JULY)
    assert MonthlyRollup.objects.filter(service=service, month=JULY).count() == 1


def test_refresh_recent_covers_this_and_last_month(july_cases: tuple[Case, Case]) -> None:
    refreshed = services.refresh_recent(now=at(31, 20) + dt.timedelta(days=5))
    service = Service.objects.get(code="izin-usaha-mikro")
    months = set(MonthlyRollup.objects.filter(service=service).values_list("month", flat=True))
    assert months == {JULY, dt.date(2026, 8, 1)}
    units = Service.objects.values("unit").distinct().count()
    assert refreshed == 2 * (Service.objects.count() + units)


def test_unit_figures_are_computed_over_its_cases_not_from_service_rows(
    july_cases: tuple[Case, Case],
) -> None:
    service = Service.objects.get(code="izin-usaha-mikro")
    unit_row = services.refresh_unit_rollup(unit=service.unit, month=JULY)
    assert unit_row.service is None
    assert (unit_row.decided, unit_row.sla_on_time, unit_row.sla_total) == (2, 1, 2)
    assert unit_row.median_days == pytest.approx(3.5625)
    assert unit_row.sla_percent == 50.0


def test_the_worker_refreshes_the_rollup_on_its_schedule() -> None:
    from loket.core.management.commands.worker import default_schedule

    assert "loket.insights.tasks:refresh_rollups" in {p.task_path for p in default_schedule()}
