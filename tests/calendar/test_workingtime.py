from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from loket.calendar import workingtime
from loket.calendar.collective_leave import load_collective_leave
from loket.calendar.models import CalendarDay, DayKind, WorkingCalendar
from loket.calendar.workingtime import (
    add_working_days,
    add_working_hours,
    add_working_time,
    is_working_day,
    working_days_between,
    working_time_between,
)
from loket.core.errors import ValidationError
from loket.org.models import Agency
from tests.org.factories import AgencyFactory

pytestmark = pytest.mark.django_db

D = dt.date
H = dt.timedelta(hours=1)
JAKARTA = ZoneInfo("Asia/Jakarta")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture
def agency() -> Agency:
    """An agency with the standard calendar and the official cuti bersama of 2026 and 2027."""
    agency = AgencyFactory()
    load_collective_leave(WorkingCalendar.objects.create(agency=agency), [2026, 2027])
    return agency


# Which days work -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 3, 17), True),  # Tuesday before Nyepi
        (D(2026, 3, 18), False),  # cuti bersama Nyepi
        (D(2026, 3, 19), False),  # Nyepi, Saka 1948
        (D(2026, 3, 20), False),  # cuti bersama Idul Fitri 1447 H
        (D(2026, 3, 21), False),  # Idul Fitri 1447 H (Saturday)
        (D(2026, 3, 23), False),  # cuti bersama Idul Fitri
        (D(2026, 3, 24), False),  # cuti bersama Idul Fitri
        (D(2026, 3, 25), True),  # back to work
        (D(2026, 12, 24), False),  # cuti bersama Natal
        (D(2026, 12, 25), False),  # Christmas
        (D(2026, 11, 21), False),  # Saturday
        (D(2026, 11, 22), False),  # Sunday
        (D(2026, 11, 23), True),  # Monday
        (D(2027, 3, 8), False),  # Nyepi 2027
        (D(2027, 3, 9), False),  # cuti bersama Idul Fitri 1448 H
        (D(2027, 3, 10), False),  # Idul Fitri 1448 H
        (D(2027, 3, 15), False),  # cuti bersama Idul Fitri 1448 H
        (D(2027, 3, 16), True),
        (D(2027, 12, 24), False),  # cuti bersama Natal
    ],
)
def test_weekends_holidays_and_collective_leave_are_not_working_days(
    agency: Agency, day: dt.date, working: bool
) -> None:
    assert is_working_day(agency, day) is working


def test_agency_without_a_calendar_gets_weekdays_and_national_holidays_only() -> None:
    agency = AgencyFactory()

    assert is_working_day(agency, D(2026, 3, 17))
    assert not is_working_day(agency, D(2026, 3, 19))  # Nyepi
    assert not is_working_day(agency, D(2026, 11, 21))  # Saturday
    assert is_working_day(agency, D(2026, 3, 20))  # cuti bersama is the agency's to add
    assert add_working_time(agency, at(2026, 11, 23, 15), 2 * H) == at(2026, 11, 24, 9)


def test_extra_working_day_makes_a_saturday_a_working_day(agency: Agency) -> None:
    CalendarDay.objects.create(
        calendar=agency.calendar, date=D(2026, 11, 28), kind=DayKind.WORKING_DAY
    )

    assert is_working_day(agency, D(2026, 11, 28))
    assert add_working_days(agency, at(2026, 11, 27, 10), 1) == at(2026, 11, 28, 10)


def test_extra_working_day_overrides_a_national_holiday(agency: Agency) -> None:
    CalendarDay.objects.create(
        calendar=agency.calendar, date=D(2026, 8, 17), kind=DayKind.WORKING_DAY
    )

    assert is_working_day(agency, D(2026, 8, 17))


def test_office_closure_is_not_a_working_day(agency: Agency) -> None:
    CalendarDay.objects.create(calendar=agency.calendar, date=D(2026, 11, 24), kind="closure")

    assert not is_working_day(agency, D(2026, 11, 24))
    assert add_working_days(agency, at(2026, 11, 23, 10), 1) == at(2026, 11, 25, 10)


def test_agency_may_choose_not_to_observe_national_holidays() -> None:
    agency = AgencyFactory()
    WorkingCalendar.objects.create(agency=agency, national_holidays=False)

    assert is_working_day(agency, D(2026, 12, 25))


def test_six_day_week_with_its_own_office_hours() -> None:
    agency = AgencyFactory()
    WorkingCalendar.objects.create(
        agency=agency,
        working_weekdays="1,2,3,4,5,6",
        work_starts=dt.time(7, 30),
        work_ends=dt.time(14, 0),
    )

    assert is_working_day(agency, D(2026, 11, 21))
    assert add_working_time(agency, at(2026, 11, 21, 13), 2 * H) == at(2026, 11, 23, 8, 30)
    assert add_working_days(agency, at(2026, 11, 20, 9), 1) == at(2026, 11, 21, 9)


def test_is_working_day_takes_a_moment_at_its_jakarta_date(agency: Agency) -> None:
    # 18:00 UTC on Friday is 01:00 on Saturday in Jakarta.
    assert not is_working_day(agency, dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.UTC))


# Adding working time --------------------------------------------------------


def test_one_working_day_from_before_nyepi_lands_after_idul_fitri_leave(agency: Agency) -> None:
    assert add_working_days(agency, at(2026, 3, 17, 10), 1) == at(2026, 3, 25, 10)


def test_idul_fitri_1448_week_is_skipped_in_2027(agency: Agency) -> None:
    assert add_working_days(agency, at(2027, 3, 5, 10), 1) == at(2027, 3, 16, 10)


def test_christmas_and_its_collective_leave_are_skipped(agency: Agency) -> None:
    assert add_working_days(agency, at(2026, 12, 23, 14), 1) == at(2026, 12, 28, 14)
    assert add_working_days(agency, at(2027, 12, 23, 10), 1) == at(2027, 12, 27, 10)


def test_weekend_is_skipped(agency: Agency) -> None:
    assert add_working_days(agency, at(2026, 11, 20, 10), 1) == at(2026, 11, 23, 10)
    assert add_working_days(agency, at(2026, 11, 23, 10), 5) == at(2026, 11, 30, 10)


def test_start_on_a_weekend_begins_at_the_next_opening(agency: Agency) -> None:
    assert add_working_hours(agency, at(2026, 11, 21, 13), 2) == at(2026, 11, 23, 10)


def test_start_before_opening_begins_at_opening(agency: Agency) -> None:
    assert add_working_hours(agency, at(2026, 11, 23, 6, 45), 1.5) == at(2026, 11, 23, 9, 30)


def test_start_after_closing_begins_at_the_next_days_opening(agency: Agency) -> None:
    assert add_working_hours(agency, at(2026, 11, 23, 16, 0), 1) == at(2026, 11, 24, 9)
    assert add_working_hours(agency, at(2026, 11, 23, 19, 30), 0) == at(2026, 11, 24, 8)


def test_time_that_runs_out_at_closing_ends_at_closing(agency: Agency) -> None:
    assert add_working_days(agency, at(2026, 11, 23, 8), 1) == at(2026, 11, 23, 16)
    assert add_working_hours(agency, at(2026, 11, 23, 15), 1) == at(2026, 11, 23, 16)


def test_time_carries_over_to_the_next_working_day(agency: Agency) -> None:
    assert add_working_hours(agency, at(2026, 11, 23, 15), 3) == at(2026, 11, 24, 10)


def test_zero_duration_inside_office_hours_is_the_start_itself(agency: Agency) -> None:
    assert add_working_time(agency, at(2026, 11, 23, 11, 15), dt.timedelta(0)) == at(
        2026, 11, 23, 11, 15
    )


def test_utc_start_is_read_in_jakarta_time(agency: Agency) -> None:
    # 02:00 UTC is 09:00 in Jakarta.
    start = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)

    assert add_working_hours(agency, start, 1) == at(2026, 11, 23, 10)


def test_result_is_expressed_in_jakarta_time(agency: Agency) -> None:
    result = add_working_hours(agency, dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC), 1)

    assert result.utcoffset() == dt.timedelta(hours=7)


def test_twenty_working_days_across_idul_fitri_2026(agency: Agency) -> None:
    # 2-6, 9-13, 16-17 March (12 days); 18-24 March is Nyepi, Idul Fitri and their
    # leave; 25-27, 30-31 March, 1-2 April (19 days); 3 April is Good Friday; the
    # 20th working day is Monday 6 April, until closing.
    deadline = add_working_days(agency, at(2026, 3, 2, 8), 20)

    assert deadline == at(2026, 4, 6, 16)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: add_working_time(a, at(2026, 1, 5), -H), "negative"),
        (lambda a: add_working_days(a, at(2026, 1, 5), -1), "zero or more"),
        (lambda a: add_working_days(a, at(2026, 1, 5), 1.5), "whole number"),
        (lambda a: add_working_hours(a, at(2026, 1, 5), float("nan")), "zero or more"),
    ],
)
def test_bad_durations_are_rejected(agency: Agency, call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match=message):
        call(agency)


def test_naive_start_is_refused(agency: Agency) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_time(agency, dt.datetime(2026, 1, 5, 10), H)


def test_calendar_without_working_days_fails_clearly_instead_of_looping() -> None:
    agency = AgencyFactory()
    WorkingCalendar.objects.create(agency=agency, working_weekdays="")

    with pytest.raises(ValidationError, match="no working day"):
        add_working_time(agency, at(2026, 1, 5), H)


# Counting working time -------------------------------------------------------


def test_working_time_between_counts_office_hours_only(agency: Agency) -> None:
    assert working_time_between(agency, at(2026, 11, 20, 15), at(2026, 11, 23, 9)) == 2 * H
    assert working_time_between(agency, at(2026, 11, 23, 6), at(2026, 11, 23, 20)) == 8 * H


def test_working_time_between_is_zero_over_the_idul_fitri_break(agency: Agency) -> None:
    assert working_time_between(agency, at(2026, 3, 17, 16), at(2026, 3, 25, 8)) == dt.timedelta(0)


def test_working_time_between_is_negative_when_the_end_comes_first(agency: Agency) -> None:
    assert working_time_between(agency, at(2026, 11, 23, 12), at(2026, 11, 23, 10)) == -2 * H


def test_working_days_between_counts_fractions_of_an_office_day(agency: Agency) -> None:
    assert working_days_between(agency, at(2026, 11, 23, 8), at(2026, 11, 25, 12)) == 2.5


# Caching ------------------------------------------------------------------


def test_repeated_calls_touch_the_database_no_more(
    agency: Agency, django_assert_num_queries
) -> None:
    add_working_days(agency, at(2026, 3, 17), 3)

    with django_assert_num_queries(0):
        for _ in range(20):
            add_working_days(agency, at(2026, 3, 17), 3)
            working_time_between(agency, at(2026, 3, 1), at(2026, 4, 1))
            is_working_day(agency, D(2026, 3, 20))


def test_a_new_calendar_day_counts_at_once(agency: Agency) -> None:
    assert is_working_day(agency, D(2026, 11, 24))

    CalendarDay.objects.create(calendar=agency.calendar, date=D(2026, 11, 24), kind="closure")

    assert not is_working_day(agency, D(2026, 11, 24))


def test_deleting_a_calendar_day_counts_at_once(agency: Agency) -> None:
    assert not is_working_day(agency, D(2026, 12, 24))

    CalendarDay.objects.get(calendar=agency.calendar, date=D(2026, 12, 24)).delete()

    assert is_working_day(agency, D(2026, 12, 24))


def test_changed_office_hours_count_at_once(agency: Agency) -> None:
    add_working_hours(agency, at(2026, 11, 23, 9), 1)
    calendar = agency.calendar
    calendar.work_starts = dt.time(7, 0)
    calendar.save()

    assert add_working_hours(agency, at(2026, 11, 23, 6), 1) == at(2026, 11, 23, 8)


def test_a_change_made_elsewhere_is_noticed_on_the_next_recheck(
    agency: Agency, settings, django_assert_num_queries
) -> None:
    settings.LOKET_CALENDAR_RECHECK_SECONDS = 0
    assert is_working_day(agency, D(2026, 11, 24))
    # Another process changed the day: no signal reached this one, only the revision.
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar=agency.calendar, date=D(2026, 11, 24), kind="closure")]
    )
    WorkingCalendar.objects.filter(agency=agency).update(revision="changed-elsewhere")

    assert not is_working_day(agency, D(2026, 11, 24))
    with django_assert_num_queries(1):  # only the revision check while nothing changes
        assert not is_working_day(agency, D(2026, 11, 24))


def test_invalidate_forgets_every_agency(agency: Agency, django_assert_num_queries) -> None:
    is_working_day(agency, D(2026, 1, 5))
    workingtime.invalidate()

    with django_assert_num_queries(2):
        is_working_day(agency, D(2026, 1, 5))
