"""The statistics' fast working-day clock agrees with the calendar's own arithmetic."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loket.calendar.workingtime import working_days_between
from loket.opendata.builders import WorkingClock

pytestmark = pytest.mark.django_db

START = timezone.make_aware(dt.datetime(2026, 3, 1, 0, 0))
# Up to 60 days after 1 March 2026: weekends, Nyepi (19 March) and Idul Fitri leave.
OFFSETS = st.integers(min_value=0, max_value=60 * 24 * 60 * 60)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=OFFSETS, second=OFFSETS, later_first=OFFSETS)
def test_clock_matches_the_calendar_to_the_second(
    demo: Any, first: int, second: int, later_first: int
) -> None:
    agency = demo.agency
    clock = WorkingClock(agency)
    # Warm the clock from another origin first: the answer must not depend on it.
    clock.days_between(START + dt.timedelta(seconds=later_first), START + dt.timedelta(days=61))
    start, end = sorted((START + dt.timedelta(seconds=first), START + dt.timedelta(seconds=second)))
    expected = working_days_between(agency, start, end)
    assert clock.days_between(start, end) == pytest.approx(expected, abs=2 / (8 * 3600))
