"""Background work of complaints: each task calls one operation."""

from __future__ import annotations

from django_tasks import task

from loket.complaints import services


@task()
def complaint_timers() -> dict[str, int]:
    """Escalate overdue complaints and close answered ones left without a reply.

    Run every few minutes by `loket worker`; both operations are idempotent.
    """
    return {
        "escalated": services.escalate_overdue(),
        "closed": services.close_unanswered(),
    }


@task()
def refresh_agency_rows(agency_id: int) -> int:
    """Render an agency's Open311 rows again in its (new) time zone; how many."""
    from loket.complaints import public_rows

    return public_rows.refresh_agency(agency_id)
