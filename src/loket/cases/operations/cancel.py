"""The applicant withdraws an application."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import locks
from loket.cases.flow import Actor, Run
from loket.cases.models import (
    Case,
    Outcome,
)
from loket.core.errors import ConflictError


def cancel(
    *,
    case_id: int,
    reason: str = "",
    user: User | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The applicant withdraws the application; open tasks are cancelled."""
    return _cancel(case_id, reason, user, now or timezone.now())


@transaction.atomic
def _cancel(case_id: int, reason: str, user: User | None, now: dt.datetime) -> Case:
    case = locks.lock_case_row(case_id)
    if case.is_closed:
        raise ConflictError(
            _("This application is already closed (%(status)s).")
            % {"status": case.get_status_display()},
            code="case_closed",
        )
    run = Run(case=case, now=now, actor=Actor(user=user if user is not None and user.pk else None))
    run.close(Outcome.CANCELLED, reason=(reason or "").strip()[:2000])
    run.finish()
    return case
