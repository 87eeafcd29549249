"""The one schedule every worker shares: a row per periodic job with its next run."""

from __future__ import annotations

from django.db import models


class ScheduledJob(models.Model):
    """A periodic job; the worker that moves `next_run_at` on enqueues that run."""

    task_path = models.CharField(max_length=200, unique=True)  # "module:function"
    every_seconds = models.PositiveIntegerField()
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_worker = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.task_path} (next {self.next_run_at:%Y-%m-%d %H:%M:%S})"
