"""Background work for notifications: each task calls one service."""

from __future__ import annotations

from dataclasses import asdict

from django_tasks import task

from loket.core.schedule import WAITED_FOR

from . import reminders, services


@task(priority=WAITED_FOR)
def deliver_outbox(message_ids: list[int] | None = None) -> dict[str, int]:
    """Send the given messages promptly after the enqueuing transaction committed.

    Messages already sent, being sent by another worker, or not yet due are
    skipped, so running this twice for the same ids sends nothing twice.
    """
    limit = len(message_ids) if message_ids else 100
    return asdict(services.deliver_due(limit, message_ids=message_ids))


@task()
def sweep_outbox() -> dict[str, int]:
    """The periodic safety net: expired leases, lost delivery tasks, retries that are due."""
    return asdict(services.sweep_outbox())


@task()
def warn_expiring_acting() -> int:
    """Warn Plt/Plh officials before their Surat Perintah runs out; run daily by the worker."""
    return reminders.warn_expiring_acting()
