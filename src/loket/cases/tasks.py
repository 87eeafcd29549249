"""Background work of the case engine: each task calls one operation."""

from __future__ import annotations

from django_tasks import task

from loket.cases import services


@task()
def escalate_overdue() -> int:
    """Escalate tasks past their due moment; run every few minutes by `loket worker`."""
    return services.escalate_overdue()
