"""Working time: which days are working days and how office time adds up.

A working day has office hours ``work_starts``..``work_ends`` in
settings.TIME_ZONE. Weekends, national holidays (the ``holidays`` package,
Indonesia) and the agency's ``CalendarDay`` entries (cuti bersama, closures)
are not working days; an extra-working-day entry makes any day a working day
(it wins over a weekend or a holiday: the agency decided it explicitly).

The case engine asks on every step, so each agency's rules are cached in the
process. A cached copy is trusted for ``LOKET_CALENDAR_RECHECK_SECONDS``
(default 30) and then re-validated with one small query on the calendar's
``revision``; saves and deletes in this process drop the copy at once.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils.translation import gettext as _

from loket.calendar.models import (
    DEFAULT_WORK_ENDS,
    DEFAULT_WORK_STARTS,
    DEFAULT_WORKING_WEEKDAYS,
    CalendarDay,
    DayKind,
    WorkingCalendar,
    parse_weekdays,
)
from loket.core.errors import ValidationError
from loket.org.models import Agency

# A calendar with no working day for this long is misconfigured, not busy.
MAX_DAYS_WITHOUT_WORK = 2 * 366

UTC = dt.UTC


@lru_cache(maxsize=4)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _local_zone() -> zoneinfo.ZoneInfo:
    return _zone(settings.TIME_ZONE)


@lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[dt.date]:
    """Indonesia's national public holidays in `year` (computed once per process)."""
    return frozenset(holidays.country_holidays("ID", years=year).keys())


@dataclass(frozen=True)
class _Rules:
    """One agency's calendar, as plain data: answers without touching the database."""

    revision: str | None  # None: the agency has no WorkingCalendar row
    weekdays: frozenset[int]
    opens: dt.time
    closes: dt.time
    observes_national_holidays: bool
    exceptions: dict[dt.date, str] = field(default_factory=dict)

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.exceptions.get(day)
        if kind is not None:
            return kind == DayKind.WORKING_DAY
        if day.isoweekday() not in self.weekdays:
            return False
        return not (self.observes_national_holidays and day in national_holidays(day.year))

    def office_hours(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """Opening and closing moment of `day`, in UTC so that differences are real durations."""
        zone = _local_zone()
        opens = dt.datetime.combine(day, self.opens, tzinfo=zone).astimezone(UTC)
        closes = dt.datetime.combine(day, self.closes, tzinfo=zone).astimezone(UTC)
        return opens, closes

    @property
    def day_length(self) -> dt.timedelta:
        reference = dt.date(2000, 1, 3)
        return dt.datetime.combine(reference, self.closes) - dt.datetime.combine(
            reference, self.opens
        )


_DEFAULT_RULES = _Rules(
    revision=None,
    weekdays=parse_weekdays(DEFAULT_WORKING_WEEKDAYS),
    opens=DEFAULT_WORK_STARTS,
    closes=DEFAULT_WORK_ENDS,
    observes_national_holidays=True,
)

_cache: dict[int, tuple[_Rules, float]] = {}
_cache_lock = threading.Lock()


def invalidate(agency_id: int | None = None) -> None:
    """Drop the cached rules of one agency (or of all): the next call reloads them."""
    with _cache_lock:
        if agency_id is None:
            _cache.clear()
        else:
            _cache.pop(agency_id, None)


def _load(agency_id: int) -> _Rules:
    calendar = WorkingCalendar.objects.filter(agency_id=agency_id).first()
    if calendar is None:
        return _DEFAULT_RULES
    exceptions = dict(
        CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind").order_by()
    )
    return _Rules(
        revision=calendar.revision,
        weekdays=parse_weekdays(calendar.working_weekdays),
        opens=calendar.work_starts,
        closes=calendar.work_ends,
        observes_national_holidays=calendar.national_holidays,
        exceptions=exceptions,
    )


def _rules(agency: Agency | int) -> _Rules:
    agency_id = agency if isinstance(agency, int) else agency.pk
    if agency_id is None:
        raise ValueError("the agency must be saved before its calendar can be read")
    recheck_after = float(getattr(settings, "LOKET_CALENDAR_RECHECK_SECONDS", 30))
    now = time.monotonic()
    cached = _cache.get(agency_id)
    if cached is not None:
        rules, checked_at = cached
        if now - checked_at < recheck_after:
            return rules
        revision = (
            WorkingCalendar.objects.filter(agency_id=agency_id)
            .values_list("revision", flat=True)
            .first()
        )
        if revision == rules.revision:
            with _cache_lock:
                _cache[agency_id] = (rules, now)
            return rules
    rules = _load(agency_id)
    with _cache_lock:
        _cache[agency_id] = (rules, now)
    return rules


def _require_aware(moment: dt.datetime, name: str) -> dt.datetime:
    if not isinstance(moment, dt.datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment.astimezone(UTC)


def _local_date(moment_utc: dt.datetime) -> dt.date:
    return moment_utc.astimezone(_local_zone()).date()


def is_working_day(agency: Agency | int, date: dt.date) -> bool:
    """Whether `date` (a local date; a datetime is taken at its local date) is a working day."""
    if isinstance(date, dt.datetime):
        date = _local_date(_require_aware(date, "date"))
    return _rules(agency).is_working_day(date)


def add_working_time(
    agency: Agency | int, start: dt.datetime, duration: dt.timedelta
) -> dt.datetime:
    """The moment `duration` of office time after `start` (local time zone).

    The clock runs only during office hours on working days; a start outside
    office hours begins at the next opening. Time that runs out exactly at
    closing ends at that closing (a deadline "by close of day").
    """
    cursor = _require_aware(start, "start")
    if duration < dt.timedelta(0):
        raise ValidationError(_("Working time cannot be negative."), field="duration")
    rules = _rules(agency)
    remaining = duration
    day = _local_date(cursor)
    idle_days = 0
    while True:
        if rules.is_working_day(day):
            idle_days = 0
            opens, closes = rules.office_hours(day)
            if cursor < closes:
                begin = max(cursor, opens)
                available = closes - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(_local_zone())
                remaining -= available
        else:
            idle_days += 1
            if idle_days > MAX_DAYS_WITHOUT_WORK:
                raise ValidationError(
                    _("The agency calendar has no working day after %(day)s.")
                    % {"day": day.isoformat()},
                    field="calendar",
                )
        day += dt.timedelta(days=1)


def add_working_days(agency: Agency | int, start: dt.datetime, days: int) -> dt.datetime:
    """The same moment of office time `days` working days later (days × the office-day length)."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValidationError(_("Working days must be a whole number, zero or more."), field="days")
    return add_working_time(agency, start, _rules(agency).day_length * days)


def add_working_hours(agency: Agency | int, start: dt.datetime, hours: float) -> dt.datetime:
    """The moment `hours` of office time after `start`."""
    if not math.isfinite(hours) or hours < 0:
        raise ValidationError(_("Working hours must be zero or more."), field="hours")
    return add_working_time(agency, start, dt.timedelta(hours=hours))


def working_time_between(
    agency: Agency | int, start: dt.datetime, end: dt.datetime
) -> dt.timedelta:
    """Office time from `start` to `end`; negative when `end` comes first."""
    start_utc, end_utc = _require_aware(start, "start"), _require_aware(end, "end")
    if end_utc < start_utc:
        return -working_time_between(agency, end_utc, start_utc)
    rules = _rules(agency)
    total = dt.timedelta(0)
    day, last = _local_date(start_utc), _local_date(end_utc)
    while day <= last:
        if rules.is_working_day(day):
            opens, closes = rules.office_hours(day)
            overlap = min(closes, end_utc) - max(opens, start_utc)
            if overlap > dt.timedelta(0):
                total += overlap
        day += dt.timedelta(days=1)
    return total


def working_days_between(agency: Agency | int, start: dt.datetime, end: dt.datetime) -> float:
    """Office time from `start` to `end` in office days (8 hours = 1.0 by default)."""
    return working_time_between(agency, start, end) / _rules(agency).day_length
