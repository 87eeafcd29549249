"""Operations on the organisation: appointing officers to positions and ending appointments."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from loket.core.errors import NotFound, ValidationError
from loket.org.checks import check_appointment
from loket.org.models import Appointment, Capacity, Officer, Position


def lock_position(position: Position) -> Position:
    """Serialise appointment changes per position: concurrent appointers queue on this row."""
    try:
        return (
            Position.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=position.pk)
        )
    except Position.DoesNotExist:
        raise NotFound(_("The position no longer exists."), field="position") from None


@transaction.atomic
def appoint(
    *,
    officer: Officer,
    position: Position,
    capacity: Capacity | str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    decree_number: str = "",
) -> Appointment:
    """Appoint `officer` to `position` in `capacity` from `start_date` to `end_date` (inclusive).

    One transaction holding a lock on the position, so two concurrent
    appointments cannot both pass the checks. Raises `ValidationError` naming
    the conflicting holder and dates when the rules in `loket.org.checks` are broken.
    """
    if isinstance(start_date, dt.datetime) or (
        end_date is not None and isinstance(end_date, dt.datetime)
    ):
        # A datetime would silently compare as a date in one place and fail in another.
        raise ValidationError(_("Appointment dates are dates, not moments."), field="start_date")
    locked = lock_position(position)
    appointment = Appointment(
        officer=officer,
        position=locked,
        capacity=capacity,
        start_date=start_date,
        end_date=end_date,
        decree_number=decree_number.strip(),
    )
    check_appointment(appointment)
    appointment.save()
    return appointment


@transaction.atomic
def end_appointment(*, appointment: Appointment, end_date: dt.date) -> Appointment:
    """Set the last day (inclusive) of an appointment; it may shorten or extend it.

    Runs the same checks as `appoint`, so extending cannot create an overlap
    and ending a definitive holder cannot strand a Plh.
    """
    lock_position(appointment.position)
    try:
        current = Appointment.objects.select_related("officer", "position").get(pk=appointment.pk)
    except Appointment.DoesNotExist:
        raise NotFound(_("The appointment no longer exists."), field="appointment") from None
    current.end_date = end_date
    check_appointment(current)
    current.save(update_fields=["end_date"])
    appointment.end_date = end_date
    return current
