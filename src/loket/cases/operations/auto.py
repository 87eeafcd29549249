"""Re-running an automatic step where a case was parked."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import locks
from loket.cases.flow import STALLED, Run
from loket.cases.models import (
    Case,
)
from loket.core.errors import ConflictError


@transaction.atomic
def run_auto_step(*, case_id: int, step_id: str, now: dt.datetime | None = None) -> Case:
    """Re-run an automatic step where a case was parked (a rule could not be evaluated)."""
    case = locks.lock_case_row(case_id)
    branch = case.join_state.get(STALLED, {}).get(step_id)
    if case.is_closed or branch is None:
        raise ConflictError(
            _("The application is not waiting at the automatic step %(step)s.") % {"step": step_id}
        )
    Run(case=case, now=now or timezone.now()).advance(step_id, branch)
    return case
