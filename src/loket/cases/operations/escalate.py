"""Escalating overdue tasks to the superior position."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from loket.cases import locks, ports
from loket.cases.flow import Run, event_key
from loket.cases.models import (
    Task,
    TaskStatus,
)
from loket.cases.operations.common import (
    task_url,
)

log = logging.getLogger(__name__)


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Escalate every open task past its due moment to its position's superior.

    Each task is escalated once, in its own transaction, so one broken case does
    not hold up the others. Returns how many tasks were escalated.
    """
    now = now or timezone.now()
    overdue = Task.objects.filter(
        status=TaskStatus.OPEN, due_at__lt=now, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    escalated = 0
    for task_id in list(overdue):
        try:
            escalated += _escalate(task_id, now)
        except Exception:
            log.exception("escalating task %s failed", task_id)
    return escalated


@transaction.atomic
def _escalate(task_id: int, now: dt.datetime) -> int:
    case, task = locks.lock_task_row(task_id)
    if task.status != TaskStatus.OPEN or task.escalated_at is not None:
        return 0
    run = Run(case=case, now=now)
    superior = ports.superior_of(task.position)
    holders = ports.holders_at(superior, now) if superior is not None else []
    task.escalated_at = now
    task.save(update_fields=["escalated_at"])
    event = run.record(
        "escalated",
        step_id=task.step_id,
        task=task,
        is_public=False,
        payload={
            "position": task.position.code,
            "superior_position": superior.code if superior else "",
            "notified": [h.officer.nip for h in holders],
            "due_at": task.due_at.isoformat() if task.due_at else None,
        },
    )
    step_name = run.definition.step_name(task.step_id)
    for holding in holders:
        officer = holding.officer
        ports.enqueue_notification(
            event="task_overdue_escalated",
            language="id",
            email=officer.user.email or None,
            user=officer.user,
            context={
                "officer_name": officer.name,
                "tracking_number": case.tracking_number,
                "service_name": case.service.name,
                "step_name": step_name,
                "position_name": task.position.title,
                "due_date": task.due_at,
                "task_url": task_url(task),
            },
            dedupe_key=f"{event_key(event)}:escalated:{officer.pk}",
        )
    # Judged at the operation's `now`, not the wall clock (the periodic task passes it).
    service_overdue = (
        not case.is_closed
        and case.paused_at is None
        and case.due_at is not None
        and case.due_at < now
    )
    if service_overdue and case.apologised_at is None:
        case.apologised_at = now
        run.notify_applicant("overdue_apology", event, due_date=case.due_at)
    run.finish()
    return 1
