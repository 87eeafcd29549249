"""Keep cached working-day rules fresh: every change to a calendar changes its revision."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from loket.calendar import workingtime
from loket.calendar.models import CalendarDay, WorkingCalendar, new_revision
from loket.org.models import Agency


def _forget(agency_id: int | None) -> None:
    if agency_id is None:
        return
    workingtime.invalidate(agency_id)
    # Again after commit: another thread may have reloaded the old rows meanwhile.
    transaction.on_commit(lambda: workingtime.invalidate(agency_id))


@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_day_changed(sender: type[CalendarDay], instance: CalendarDay, **kwargs: Any) -> None:
    # Other processes notice the new revision on their next re-check.
    WorkingCalendar.objects.filter(pk=instance.calendar_id).update(revision=new_revision())
    agency_id = (
        WorkingCalendar.objects.filter(pk=instance.calendar_id)
        .values_list("agency_id", flat=True)
        .first()
    )
    _forget(agency_id)


@receiver([post_save, post_delete], sender=WorkingCalendar)
def calendar_changed(
    sender: type[WorkingCalendar], instance: WorkingCalendar, **kwargs: Any
) -> None:
    _forget(instance.agency_id)


@receiver([post_save, post_delete], sender=Agency)
def agency_changed(sender: type[Agency], instance: Agency, **kwargs: Any) -> None:
    # A test database that rolled back may hand the same id to a new agency.
    _forget(instance.pk)
