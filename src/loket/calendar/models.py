"""Working-day calendars: weekends, national holidays and an agency's own days off."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.org.models import Agency


class WorkingCalendar(models.Model):
    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="calendar")
    # ISO weekday numbers (1 = Monday) that are working days, e.g. "1,2,3,4,5".
    working_weekdays = models.CharField(_("working weekdays"), max_length=20, default="1,2,3,4,5")
    work_starts = models.TimeField(_("office opens"), default=dt.time(8, 0))
    work_ends = models.TimeField(_("office closes"), default=dt.time(16, 0))
    national_holidays = models.BooleanField(_("observe national holidays"), default=True)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self) -> str:
        return str(self.agency)


class DayKind(models.TextChoices):
    COLLECTIVE_LEAVE = "cuti_bersama", _("Collective leave (cuti bersama)")
    CLOSURE = "closure", _("Office closure")
    WORKING_DAY = "working_day", _("Extra working day")


class CalendarDay(models.Model):
    """A day that departs from the rule: a cuti bersama, a closure, or an extra working day."""

    calendar = models.ForeignKey(WorkingCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_entry_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
