"""Background work of the portal: each task calls one operation."""

from __future__ import annotations

from django_tasks import task

from loket.portal import drafts


@task()
def purge_expired_drafts() -> int:
    """Delete application drafts past LOKET_DRAFT_DAYS (personal data kept no longer
    than needed); run hourly by `loket worker`."""
    return drafts.purge_expired()
