"""Reminders the platform sends on its own schedule (the worker runs them).

They read other apps' records and put messages in this app's outbox; the apps they
read never import notify for it (org sits below notify in the dependency graph).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from loket.notify.services import enqueue
from loket.org.models import Appointment, Capacity
from loket.org.selectors import local_date


def warn_expiring_acting(*, now: dt.datetime | None = None) -> int:
    """Tell each Plt/Plh whose designation ends within the agency's warning period.

    One message per appointment and end date (the outbox deduplicates), so a daily
    run warns once, and again only if the designation is extended and nears its
    new end. Returns how many appointments were in the period.
    """
    today = local_date(now or timezone.now())
    acting = Appointment.objects.filter(
        capacity__in=[Capacity.PLT, Capacity.PLH],
        end_date__gte=today,
        start_date__lte=today,
        officer__is_active=True,
    ).select_related("officer__user", "position__agency")
    warned = 0
    for appointment in acting:
        end = appointment.end_date
        if end is None or (end - today).days > appointment.position.agency.acting_warning_days:
            continue
        officer = appointment.officer
        with transaction.atomic():
            enqueue(
                event="acting_designation_expiring",
                language="id",
                email=officer.user.email or None,
                user=officer.user,
                context={
                    "officer_name": officer.name,
                    "position_name": appointment.position.title,
                    "capacity": Capacity(appointment.capacity).name.capitalize(),
                    "due_date": end,
                },
                dedupe_key=f"acting-expiring:{appointment.pk}:{end.isoformat()}",
            )
        warned += 1
    return warned
