"""Periodic jobs claimed through the database, so N workers run each occurrence once.

Each job has a row (`ScheduledJob`) holding its next run. A worker claims a due
run by locking the row, moving `next_run_at` on and enqueueing the task in the
same transaction: on PostgreSQL with SELECT ... FOR UPDATE SKIP LOCKED (a row
another worker holds is skipped, not waited for), on SQLite inside the
IMMEDIATE transaction the settings configure (BEGIN IMMEDIATE: one writer at a
time, and the next one then sees the run already moved on).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from importlib import import_module

from django.db import transaction

from loket.core.models import ScheduledJob

logger = logging.getLogger("loket.worker")

# The queue runs the highest priority first (django-tasks' database backend orders by
# priority, then by run time). Work a person is waiting for (a licence being signed,
# the message carrying an access code) goes before the periodic sweeps, which run at
# the default 0: a rollup refresh over a large month must not hold a licence back.
WAITED_FOR = 50


@dataclass(frozen=True)
class Periodic:
    task_path: str  # "module:function" of a django-tasks @task
    every_seconds: int


def claim_due(schedule: list[Periodic], *, now: dt.datetime, worker_id: str = "") -> list[str]:
    """Enqueue every job of `schedule` whose run is due and not taken by another worker.

    Returns the task paths this worker enqueued. A job new to the database is due now.
    """
    _register(schedule, now)
    claimed = []
    for periodic in schedule:
        if _claim(periodic, now, worker_id):
            claimed.append(periodic.task_path)
    return claimed


def _register(schedule: list[Periodic], now: dt.datetime) -> None:
    known = set(ScheduledJob.objects.values_list("task_path", flat=True))
    missing = [
        ScheduledJob(task_path=p.task_path, every_seconds=p.every_seconds, next_run_at=now)
        for p in schedule
        if p.task_path not in known
    ]
    if missing:
        # Two workers starting together may both insert: the unique path keeps one row.
        ScheduledJob.objects.bulk_create(missing, ignore_conflicts=True)


def _claim(periodic: Periodic, now: dt.datetime, worker_id: str) -> bool:
    with transaction.atomic():
        job = (
            ScheduledJob.objects.select_for_update(skip_locked=True)
            .filter(task_path=periodic.task_path, next_run_at__lte=now)
            .first()
        )
        if job is None:
            return False
        job.next_run_at = now + dt.timedelta(seconds=periodic.every_seconds)
        job.every_seconds = periodic.every_seconds
        job.last_run_at = now
        job.last_worker = worker_id[:64]
        job.save(update_fields=["next_run_at", "every_seconds", "last_run_at", "last_worker"])
        module, _sep, name = periodic.task_path.partition(":")
        try:
            task = getattr(import_module(module), name)
        except (ImportError, AttributeError):
            logger.warning("periodic task %s is not available; skipped", periodic.task_path)
            return False
        task.enqueue()  # in the claim's transaction: both happen or neither
        return True
