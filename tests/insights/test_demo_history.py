"""The demo's year of history: real cases through the engine, rolled up for every month."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from loket.cases.models import Case, CaseEvent
from loket.insights.demo import load_performance_history
from loket.insights.models import MonthlyRollup

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 7, 15, 12, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_a_year_of_history_fills_every_month_and_runs_once(demo: object) -> None:
    assert load_performance_history(now=NOW, per_month=2) == 24
    assert Case.objects.filter(status__in=["approved", "rejected"]).count() == 24
    assert CaseEvent.objects.filter(kind="awaiting_applicant").exists()  # some were returned
    unit_rows = MonthlyRollup.objects.filter(
        service__isnull=True,
        unit__code="dpmptsp",
        month__gte=dt.date(2025, 7, 1),
        month__lt=dt.date(2026, 7, 1),
    )
    assert unit_rows.count() == 12
    assert sum(row.decided for row in unit_rows) == 24
    assert load_performance_history(now=NOW) == 0  # idempotent
