"""Background work of payments: each task calls one operation."""

from __future__ import annotations

from django_tasks import task

from loket.payments import services


@task()
def expire_overdue_bills() -> int:
    """Expire bills past their due moment; run every few minutes by `loket worker`."""
    return services.expire_overdue_bills()
