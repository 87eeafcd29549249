from __future__ import annotations

import datetime as dt

import holidays
import pytest

from loket.calendar.collective_leave import (
    COLLECTIVE_LEAVE,
    collective_leave_days,
    load_collective_leave,
)
from loket.calendar.models import CalendarDay, DayKind, WorkingCalendar
from loket.calendar.workingtime import is_working_day
from loket.core.errors import ValidationError
from tests.org.factories import AgencyFactory

D = dt.date


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar.objects.create(agency=AgencyFactory())


@pytest.mark.parametrize("year", [2026, 2027])
def test_official_dates_agree_with_the_holidays_package(year: int) -> None:
    package = holidays.country_holidays("ID", years=year, categories=(holidays.GOVERNMENT,))

    assert {day for day, _name in COLLECTIVE_LEAVE[year]} == set(package)


@pytest.mark.parametrize("year", [2026, 2027])
def test_collective_leave_falls_on_weekdays_that_are_not_national_holidays(year: int) -> None:
    national = holidays.country_holidays("ID", years=year)

    for day, _name in COLLECTIVE_LEAVE[year]:
        assert day.isoweekday() <= 5, day
        assert day not in national, day


def test_idul_fitri_1447_collective_leave_surrounds_the_holiday() -> None:
    days = {day for day, name in collective_leave_days(2026) if "Idul Fitri" in name}

    assert days == {D(2026, 3, 20), D(2026, 3, 23), D(2026, 3, 24)}


def test_years_outside_the_table_come_from_the_holidays_package() -> None:
    assert D(2025, 12, 26) in {day for day, _name in collective_leave_days(2025)}


@pytest.mark.django_db
def test_loading_adds_each_day_once(calendar: WorkingCalendar) -> None:
    created = load_collective_leave(calendar, [2026, 2027])
    again = load_collective_leave(calendar, [2026])

    assert len(created) == len(COLLECTIVE_LEAVE[2026]) + len(COLLECTIVE_LEAVE[2027])
    assert again == []
    assert calendar.days.filter(kind=DayKind.COLLECTIVE_LEAVE).count() == len(created)


@pytest.mark.django_db
def test_loading_keeps_the_agencys_own_decision_for_a_day(calendar: WorkingCalendar) -> None:
    CalendarDay.objects.create(
        calendar=calendar,
        date=D(2026, 12, 24),
        kind=DayKind.WORKING_DAY,
        description="Layanan tetap buka",
    )

    load_collective_leave(calendar, [2026])

    assert calendar.days.get(date=D(2026, 12, 24)).kind == DayKind.WORKING_DAY
    assert is_working_day(calendar.agency, D(2026, 12, 24))


@pytest.mark.django_db
def test_loaded_days_count_at_once(calendar: WorkingCalendar) -> None:
    assert is_working_day(calendar.agency, D(2026, 3, 20))

    load_collective_leave(calendar, [2026])

    assert not is_working_day(calendar.agency, D(2026, 3, 20))


@pytest.mark.django_db
def test_year_without_known_dates_is_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValidationError, match="2040"):
        load_collective_leave(calendar, [2026, 2040])

    assert not calendar.days.exists()
