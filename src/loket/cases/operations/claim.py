"""An officer takes an open task so no other holder works on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import locks, policy
from loket.cases.flow import Actor, Run
from loket.cases.models import (
    Task,
    TaskStatus,
)
from loket.cases.operations.common import (
    already_done,
    audited,
    claim_of,
)
from loket.core.errors import ConflictError
from loket.org.models import Officer


def claim_task(*, task_id: int, officer: Officer, now: dt.datetime | None = None) -> Task:
    """Take an open task so no other officer works on it; only a holder of its position may."""
    with audited("claim", f"task:{task_id}", officer=officer):
        return _claim(task_id, officer, now or timezone.now())


@transaction.atomic
def _claim(task_id: int, officer: Officer, now: dt.datetime) -> Task:
    # The authority read goes in the locking read's round trip, run once the locks are held.
    authority: list[Any] = []
    case, task = locks.lock_task_row(
        task_id, also=[policy.authority_read(officer, task_id)], found_also=authority
    )
    if task.status != TaskStatus.OPEN:
        raise already_done(task)
    run = Run(case=case, now=now)
    reach = policy.reach_for_task(officer, task, now, run.definition, read=authority[0])
    holding = policy.require_holding(reach, task)
    if task.claimed_by_id == officer.pk:
        return task
    if task.claimed_by_id is not None:
        raise ConflictError(
            _("Another holder of %(position)s is already working on this task (since %(since)s).")
            % claim_of(task),
            code="task_claimed",
        )
    policy.require_capacity(run.definition, task, holding)
    policy.require_segregation(run.definition, task, officer, reach)
    task.claimed_by = officer
    task.claimed_at = now
    # Sent with the run's closing writes (one round trip on PostgreSQL).
    run.update_at_finish(task, ["claimed_by", "claimed_at"])
    run.record(
        "claimed",
        step_id=task.step_id,
        task=task,
        is_public=False,
        actor=Actor(
            officer=officer,
            position=task.position,
            capacity=holding.capacity,
            user=holding.officer.user,
        ),
    )
    run.finish()
    return task
