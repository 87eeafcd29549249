"""A head of unit gives an open task to another holder of its position."""

from __future__ import annotations

import datetime as dt

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
)
from loket.core.errors import ValidationError
from loket.org.models import Officer


def reassign_task(
    *,
    task_id: int,
    head: Officer,
    assignee: Officer | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """A head of unit gives an open task to another holder of its position, or releases it.

    `head` must hold, now, the head position of the unit of the task's position or
    of a unit above it. `assignee` must hold the task's position now (the task
    stays with its position); None releases the claim so any holder may take it.
    Records an internal `reassigned` event; one transaction.
    """
    with audited("reassign", f"task:{task_id}", officer=head):
        return _reassign(task_id, head, assignee, now or timezone.now())


@transaction.atomic
def _reassign(task_id: int, head: Officer, assignee: Officer | None, now: dt.datetime) -> Task:
    case, task = locks.lock_task_row(task_id)
    if task.status != TaskStatus.OPEN or case.is_closed:
        raise already_done(task)
    heading = policy.require_reassign_authority(policy.reach_of(head, now), task)
    run = Run(case=case, now=now)
    if assignee is not None:
        if policy.holding_for_task(policy.reach_of(assignee, now), task) is None:
            raise ValidationError(
                _("%(name)s does not hold the position %(position)s today.")
                % {"name": assignee.name, "position": task.position.title},
                field="assignee",
            )
        earlier = policy.segregation_conflict(run.definition, task, assignee)
        if earlier is not None:
            raise ValidationError(
                _("%(name)s decided the step “%(earlier)s”; the service requires a "
                  "different officer for this step.")
                % {"name": assignee.name, "earlier": run.definition.step_name(earlier)},
                field="assignee",
            )  # fmt: skip
    previous = task.claimed_by
    task.claimed_by = assignee
    task.claimed_at = now if assignee is not None else None
    task.save(update_fields=["claimed_by", "claimed_at"])
    run.record(
        "reassigned" if assignee is not None else "released",
        step_id=task.step_id,
        task=task,
        is_public=False,
        actor=Actor(officer=head, position=heading.position, capacity=heading.capacity,
                    user=head.user),
        payload={"from": previous.nip if previous else "", "to": assignee.nip if assignee else ""},
    )  # fmt: skip
    run.finish()
    return task
