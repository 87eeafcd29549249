"""Properties of working-time arithmetic over 2026–2027, with the official cuti bersama."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loket.calendar.collective_leave import load_collective_leave
from loket.calendar.models import WorkingCalendar
from loket.calendar.workingtime import (
    add_working_days,
    add_working_time,
    is_working_day,
    working_days_between,
    working_time_between,
)
from loket.org.models import Agency
from tests.org.factories import AgencyFactory

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
# The agency's rows are only read by the examples, so one fixture serves them all.
examples = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 10, 31)).map(
    lambda naive: naive.replace(tzinfo=JAKARTA)
)
durations = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=8 * 40))


@pytest.fixture
def agency() -> Agency:
    agency = AgencyFactory()
    load_collective_leave(WorkingCalendar.objects.create(agency=agency), [2026, 2027])
    return agency


@examples
@given(start=moments, duration=durations)
def test_counting_back_an_added_duration_gives_the_duration(
    agency: Agency, start: dt.datetime, duration: dt.timedelta
) -> None:
    end = add_working_time(agency, start, duration)

    assert working_time_between(agency, start, end) == duration


@examples
@given(start=moments, first=durations, second=durations)
def test_adding_more_time_never_ends_earlier(
    agency: Agency, start: dt.datetime, first: dt.timedelta, second: dt.timedelta
) -> None:
    shorter, longer = sorted([first, second])

    assert add_working_time(agency, start, shorter) <= add_working_time(agency, start, longer)


@examples
@given(first=moments, second=moments, duration=durations)
def test_starting_later_never_ends_earlier(
    agency: Agency, first: dt.datetime, second: dt.datetime, duration: dt.timedelta
) -> None:
    earlier, later = sorted([first, second])

    assert add_working_time(agency, earlier, duration) <= add_working_time(agency, later, duration)


@examples
@given(start=moments, duration=durations.filter(lambda d: d > dt.timedelta(0)))
def test_positive_time_ends_inside_office_hours_of_a_working_day(
    agency: Agency, start: dt.datetime, duration: dt.timedelta
) -> None:
    end = add_working_time(agency, start, duration)

    assert is_working_day(agency, end.date())
    assert dt.time(8, 0) < end.timetz().replace(tzinfo=None) <= dt.time(16, 0)


@examples
@given(start=moments, first=durations, second=durations)
def test_adding_in_two_steps_equals_adding_at_once(
    agency: Agency, start: dt.datetime, first: dt.timedelta, second: dt.timedelta
) -> None:
    in_two_steps = add_working_time(agency, add_working_time(agency, start, first), second)
    at_once = add_working_time(agency, start, first + second)

    assert working_time_between(agency, start, in_two_steps) == first + second
    assert working_time_between(agency, at_once, in_two_steps) == dt.timedelta(0)


@examples
@given(start=moments, days=st.integers(min_value=0, max_value=60))
def test_working_days_added_are_counted_back(agency: Agency, start: dt.datetime, days: int) -> None:
    assert working_days_between(agency, start, add_working_days(agency, start, days)) == days


@examples
@given(first=moments, second=moments)
def test_working_time_between_is_antisymmetric_and_never_exceeds_the_elapsed_time(
    agency: Agency, first: dt.datetime, second: dt.datetime
) -> None:
    forward = working_time_between(agency, first, second)

    assert working_time_between(agency, second, first) == -forward
    assert abs(forward) <= abs(second - first)
