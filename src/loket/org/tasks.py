"""Background work of the organisation: each task calls one operation."""

from __future__ import annotations

from django_tasks import task

from loket.org import services


@task()
def warn_expiring_acting() -> int:
    """Warn Plt/Plh officials before their Surat Perintah runs out; run daily by the worker."""
    return services.warn_expiring_acting()
