"""Rules an appointment must satisfy, shared by `services.appoint` and the model's `clean()`.

On a single-holder position:

* at most one definitive holder on any day;
* a Plt (acting holder of a vacant position) only on days with no definitive holder;
* a Plh (acting while the definitive holder is away) only on days with a definitive holder;
* at most one acting holder (Plt or Plh) on any day.

On every position an officer holds it at most once on any day.
Date ranges are inclusive; an open end (`end_date=None`) runs for ever.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from loket.core.errors import ValidationError
from loket.org.models import Appointment, Capacity

ACTING = {Capacity.PLT, Capacity.PLH}


def check_appointment(appointment: Appointment) -> None:
    """Raise `ValidationError` if `appointment` (saved or not) breaks a rule.

    Compares against the position's other stored appointments; the caller
    holds a lock on the position row when it intends to save.
    """
    _check_own_fields(appointment)
    _check_acting_length(appointment)
    others = list(
        Appointment.objects.filter(position_id=appointment.position_id)
        .exclude(pk=appointment.pk)
        .select_related("officer")
        .order_by("start_date", "pk")
    )
    overlapping = [other for other in others if _overlap(appointment, other)]
    for other in overlapping:
        if other.officer_id == appointment.officer_id:
            raise ValidationError(
                _("%(officer)s already holds this position %(holding)s.")
                % {"officer": other.officer, "holding": _describe(other)},
                field="officer",
                code="appointment_duplicate",
            )
    if appointment.position.is_single_holder:
        _check_single_holder(appointment, overlapping, others)


def _check_acting_length(appointment: Appointment) -> None:
    """An agency may cap how long a Plt or Plh designation lasts."""
    agency = appointment.position.agency
    limits = {Capacity.PLT: agency.max_plt_days, Capacity.PLH: agency.max_plh_days}
    limit = limits.get(Capacity(appointment.capacity)) if appointment.capacity in ACTING else None
    if limit is None:
        return
    label = Capacity(appointment.capacity).name.capitalize()
    if appointment.end_date is None:
        raise ValidationError(
            _(
                "A %(capacity)s designation in %(agency)s lasts at most %(days)d days: "
                "give its end date."
            )
            % {"capacity": label, "agency": agency.name, "days": limit},
            field="end_date",
            code="acting_too_long",
        )
    length = (appointment.end_date - appointment.start_date).days + 1
    if length > limit:
        raise ValidationError(
            _(
                "A %(capacity)s designation in %(agency)s lasts at most %(days)d days; "
                "this one lasts %(length)d. Designate again with a new Surat Perintah to extend."
            )
            % {"capacity": label, "agency": agency.name, "days": limit, "length": length},
            field="end_date",
            code="acting_too_long",
        )


def _check_own_fields(appointment: Appointment) -> None:
    if appointment.capacity not in Capacity.values:
        raise ValidationError(
            _("Unknown capacity %(capacity)r.") % {"capacity": appointment.capacity},
            field="capacity",
            code="appointment_capacity",
        )
    if appointment.end_date is not None and appointment.end_date < appointment.start_date:
        raise ValidationError(
            _("The appointment cannot end (%(end)s) before it starts (%(start)s).")
            % {
                "end": appointment.end_date.isoformat(),
                "start": appointment.start_date.isoformat(),
            },
            field="end_date",
            code="appointment_dates",
        )
    officer, position = appointment.officer, appointment.position
    if officer.agency_id != position.agency_id:
        raise ValidationError(
            _("%(officer)s belongs to another agency than the position %(position)s.")
            % {"officer": officer, "position": position},
            field="officer",
            code="appointment_agency",
        )
    if not officer.is_active:
        raise ValidationError(
            _("%(officer)s is not an active officer.") % {"officer": officer},
            field="officer",
            code="appointment_inactive_officer",
        )


def _check_single_holder(
    appointment: Appointment, overlapping: list[Appointment], others: list[Appointment]
) -> None:
    capacity = appointment.capacity
    definitive = [a for a in overlapping if a.capacity == Capacity.DEFINITIVE]
    acting = [a for a in overlapping if a.capacity in ACTING]
    if capacity == Capacity.DEFINITIVE:
        if definitive:
            raise _conflict(
                _("The position %(position)s already has a definitive holder: %(holding)s."),
                appointment,
                definitive[0],
                "appointment_overlap",
            )
        plt = [a for a in acting if a.capacity == Capacity.PLT]
        if plt:
            raise _conflict(
                _(
                    "The position %(position)s has a Plt then: %(holding)s. "
                    "End the Plt appointment before the definitive holder starts."
                ),
                appointment,
                plt[0],
                "appointment_overlap_plt",
            )
        _check_plh_still_covered(appointment, others)
        return
    if capacity == Capacity.PLT and definitive:
        raise _conflict(
            _(
                "A Plt acts only for a vacant position, but %(position)s has a definitive "
                "holder then: %(holding)s. Appoint a Plh while the holder is away."
            ),
            appointment,
            definitive[0],
            "appointment_plt_not_vacant",
        )
    if acting:
        raise _conflict(
            _("The position %(position)s already has an acting holder then: %(holding)s."),
            appointment,
            acting[0],
            "appointment_overlap_acting",
        )
    if capacity == Capacity.PLH:
        holders = [a for a in others if a.capacity == Capacity.DEFINITIVE]
        gap = _first_uncovered_day(appointment.start_date, appointment.end_date, holders)
        if gap is not None:
            raise ValidationError(
                _(
                    "A Plh acts while the definitive holder is away, but %(position)s has no "
                    "definitive holder on %(day)s. Appoint a Plt for a vacant position."
                )
                % {"position": appointment.position, "day": gap.isoformat()},
                field="capacity",
                code="appointment_plh_without_holder",
            )


def _check_plh_still_covered(appointment: Appointment, others: list[Appointment]) -> None:
    """Changing a definitive appointment must not leave a Plh acting for a vacant position."""
    holders = [a for a in others if a.capacity == Capacity.DEFINITIVE] + [appointment]
    for plh in (a for a in others if a.capacity == Capacity.PLH):
        gap = _first_uncovered_day(plh.start_date, plh.end_date, holders)
        if gap is not None:
            raise ValidationError(
                _(
                    "%(holding)s would be left without a definitive holder on %(day)s. "
                    "End or shorten the Plh appointment first."
                )
                % {"holding": _describe(plh, with_officer=True), "day": gap.isoformat()},
                field="end_date",
                code="appointment_plh_without_holder",
            )


def _first_uncovered_day(
    start: dt.date, end: dt.date | None, holders: Iterable[Appointment]
) -> dt.date | None:
    """The first day in [start, end] that none of `holders` covers, or None."""
    cursor = start
    for holder in sorted(holders, key=lambda a: a.start_date):
        if holder.start_date > cursor:
            break
        if holder.end_date is None:
            return None
        if holder.end_date >= cursor:
            cursor = holder.end_date + dt.timedelta(days=1)
        if end is not None and cursor > end:
            return None
    return cursor


def _overlap(first: Appointment, second: Appointment) -> bool:
    first_ends_before = first.end_date is not None and first.end_date < second.start_date
    second_ends_before = second.end_date is not None and second.end_date < first.start_date
    return not (first_ends_before or second_ends_before)


def _describe(appointment: Appointment, *, with_officer: bool = False) -> str:
    if appointment.end_date is None:
        period = _("from %(start)s, open-ended") % {"start": appointment.start_date.isoformat()}
    else:
        period = _("from %(start)s to %(end)s") % {
            "start": appointment.start_date.isoformat(),
            "end": appointment.end_date.isoformat(),
        }
    text = _("as %(capacity)s %(period)s") % {
        "capacity": appointment.get_capacity_display(),
        "period": period,
    }
    return f"{appointment.officer} {text}" if with_officer else text


def _conflict(
    template: str, appointment: Appointment, other: Appointment, code: str
) -> ValidationError:
    message = template % {
        "position": appointment.position,
        "holding": _describe(other, with_officer=True),
    }
    return ValidationError(message, field="start_date", code=code)
