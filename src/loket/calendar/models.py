"""Working-day calendars: weekends, national holidays and an agency's own days off."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from loket.org.models import Agency

# What an agency without its own WorkingCalendar row gets.
DEFAULT_WORKING_WEEKDAYS = "1,2,3,4,5"
DEFAULT_WORK_STARTS = dt.time(8, 0)
DEFAULT_WORK_ENDS = dt.time(16, 0)

_WEEKDAYS_PATTERN = re.compile(r"^\s*[1-7]\s*(,\s*[1-7]\s*)*$")


def parse_weekdays(value: str) -> frozenset[int]:
    """ISO weekday numbers from "1,2,3,4,5" (1 = Monday); an empty text means none."""
    if not value.strip():
        return frozenset()
    if not _WEEKDAYS_PATTERN.match(value):
        raise ValueError(f"working weekdays must be ISO numbers 1-7 separated by commas: {value!r}")
    return frozenset(int(part) for part in value.split(","))


def validate_weekdays(value: str) -> None:
    try:
        parse_weekdays(value)
    except ValueError:
        raise ValidationError(
            _("Enter ISO weekday numbers separated by commas, 1 = Monday … 7 = Sunday."),
            code="weekdays",
        ) from None


def new_revision() -> str:
    return uuid.uuid4().hex


class WorkingCalendar(models.Model):
    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, related_name="calendar", verbose_name=_("agency")
    )
    # ISO weekday numbers (1 = Monday) that are working days, e.g. "1,2,3,4,5".
    working_weekdays = models.CharField(
        _("working weekdays"),
        max_length=20,
        default=DEFAULT_WORKING_WEEKDAYS,
        validators=[validate_weekdays],
        help_text=_("ISO weekday numbers separated by commas, 1 = Monday … 7 = Sunday."),
    )
    work_starts = models.TimeField(_("office opens"), default=DEFAULT_WORK_STARTS)
    work_ends = models.TimeField(_("office closes"), default=DEFAULT_WORK_ENDS)
    national_holidays = models.BooleanField(_("observe national holidays"), default=True)
    # Changes whenever the calendar or one of its days changes, so every process
    # can tell cheaply whether its cached copy is stale (see workingtime).
    revision = models.CharField(_("revision"), max_length=32, default=new_revision, editable=False)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        constraints = [
            models.CheckConstraint(
                condition=Q(work_ends__gt=F("work_starts")),
                name="office_closes_after_it_opens",
                violation_error_message=_("The office must close after it opens."),
            )
        ]

    def __str__(self) -> str:
        return str(self.agency)

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.revision = new_revision()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "revision"}
        super().save(*args, **kwargs)

    @property
    def weekdays(self) -> frozenset[int]:
        return parse_weekdays(self.working_weekdays)


class DayKind(models.TextChoices):
    COLLECTIVE_LEAVE = "cuti_bersama", _("Collective leave (cuti bersama)")
    CLOSURE = "closure", _("Office closure")
    WORKING_DAY = "working_day", _("Extra working day")


class CalendarDay(models.Model):
    """A day that departs from the rule: a cuti bersama, a closure, or an extra working day."""

    calendar = models.ForeignKey(
        WorkingCalendar,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("calendar"),
    )
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
