"""Background work of the insights app: each task calls one operation."""

from __future__ import annotations

from django_tasks import task

from loket.insights import services


@task()
def refresh_rollups() -> int:
    """Recompute this month's and last month's figures; run by `loket worker`."""
    return services.refresh_recent()


@task()
def run_export(job_id: int) -> str:
    """Prepare one requested download (XLSX, XES, signed SKP PDF) with its progress."""
    from loket.insights import jobs

    return jobs.run_export(job_id)


@task()
def purge_old_exports() -> int:
    """Delete prepared downloads (rows and files) older than a day; run by `loket worker`."""
    from loket.insights import jobs

    return jobs.purge_old()
