"""Cuti bersama: the collective leave days for civil servants, set each year by the
joint decree (SKB) of the Minister of Religious Affairs, the Minister of Manpower
and the Minister for State Apparatus Empowerment and Bureaucratic Reform.

They are not national holidays, so the `holidays` package leaves them out of its
public calendar; each agency's calendar gets them as `CalendarDay` entries
(an agency may decide otherwise for its own offices, e.g. keep a counter open).
For years not listed here we fall back to the `holidays` package's Indonesian
"government" category, which tracks the same decrees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import holidays
from django.db import transaction
from django.utils.translation import gettext as _

from loket.calendar.models import CalendarDay, DayKind, WorkingCalendar, new_revision
from loket.calendar.workingtime import invalidate
from loket.core.errors import ValidationError

D = dt.date

# SKB 3 Menteri on national holidays and collective leave, 2026 and 2027.
COLLECTIVE_LEAVE: dict[int, tuple[tuple[dt.date, str], ...]] = {
    2026: (
        (D(2026, 2, 16), "Cuti bersama Tahun Baru Imlek 2577 Kongzili"),
        (D(2026, 3, 18), "Cuti bersama Hari Suci Nyepi Tahun Baru Saka 1948"),
        (D(2026, 3, 20), "Cuti bersama Idul Fitri 1447 Hijriah"),
        (D(2026, 3, 23), "Cuti bersama Idul Fitri 1447 Hijriah"),
        (D(2026, 3, 24), "Cuti bersama Idul Fitri 1447 Hijriah"),
        (D(2026, 5, 15), "Cuti bersama Kenaikan Yesus Kristus"),
        (D(2026, 5, 28), "Cuti bersama Idul Adha 1447 Hijriah"),
        (D(2026, 12, 24), "Cuti bersama Hari Raya Natal"),
    ),
    2027: (
        (D(2027, 2, 5), "Cuti bersama Tahun Baru Imlek 2578 Kongzili"),
        (D(2027, 3, 9), "Cuti bersama Idul Fitri 1448 Hijriah"),
        (D(2027, 3, 12), "Cuti bersama Idul Fitri 1448 Hijriah"),
        (D(2027, 3, 15), "Cuti bersama Idul Fitri 1448 Hijriah"),
        (D(2027, 3, 25), "Cuti bersama Wafat Yesus Kristus"),
        (D(2027, 5, 18), "Cuti bersama Idul Adha 1448 Hijriah"),
        (D(2027, 5, 19), "Cuti bersama Hari Raya Waisak 2571 BE"),
        (D(2027, 12, 24), "Cuti bersama Hari Raya Natal"),
    ),
}


def collective_leave_days(year: int) -> list[tuple[dt.date, str]]:
    """The cuti bersama dates of `year` with a description; empty when none are known."""
    if year in COLLECTIVE_LEAVE:
        return list(COLLECTIVE_LEAVE[year])
    known = holidays.country_holidays(
        "ID", years=year, categories=(holidays.GOVERNMENT,), language="id"
    )
    return sorted(known.items())


@transaction.atomic
def load_collective_leave(calendar: WorkingCalendar, years: Iterable[int]) -> list[CalendarDay]:
    """Add the cuti bersama of `years` to `calendar`; returns the entries created.

    Idempotent: a date that already has an entry is left alone, so an agency's
    own decision for that day (a closure, an extra working day) stands.
    Raises `ValidationError` for a year whose dates are not known yet, so an
    administrator enters them by hand rather than trusting an empty year.
    """
    wanted: list[tuple[dt.date, str]] = []
    for year in sorted(set(years)):
        days = collective_leave_days(year)
        if not days:
            raise ValidationError(
                _("The collective leave days of %(year)d are not known yet; enter them by hand.")
                % {"year": year},
                field="years",
            )
        wanted.extend(days)
    taken = set(
        CalendarDay.objects.filter(
            calendar=calendar, date__in=[day for day, _name in wanted]
        ).values_list("date", flat=True)
    )
    created = CalendarDay.objects.bulk_create(
        CalendarDay(
            calendar=calendar, date=day, kind=DayKind.COLLECTIVE_LEAVE, description=description
        )
        for day, description in wanted
        if day not in taken
    )
    if created:
        # bulk_create sends no signals: mark the calendar changed ourselves.
        WorkingCalendar.objects.filter(pk=calendar.pk).update(revision=new_revision())
        agency_id = calendar.agency_id
        invalidate(agency_id)
        transaction.on_commit(lambda: invalidate(agency_id))
    return created
