"""Background work of the insights app: each task calls one operation."""

from __future__ import annotations

from django_tasks import task

from loket.insights import services


@task()
def refresh_rollups() -> int:
    """Recompute this month's and last month's figures; run by `loket worker`."""
    return services.refresh_recent()
