"""Background work of open data: each task calls one operation."""

from __future__ import annotations

from django_tasks import task

from loket.opendata import services


@task()
def publish_datasets() -> dict[str, int]:
    """Regenerate every open dataset from live data; run hourly by `loket worker`."""
    return {"datasets": len(services.publish_all())}
