"""Read-only queries over the outbox: a user's in-app inbox and operator views."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, QuerySet

from .models import Channel, OutboxMessage, Status


def inbox_for(user: AbstractBaseUser) -> QuerySet[OutboxMessage]:
    """The user's delivered in-app notifications, newest first."""
    return OutboxMessage.objects.filter(
        channel=Channel.INAPP, recipient_user_id=user.pk, status=Status.SENT
    ).order_by("-created_at", "-pk")


def unread_for(user: AbstractBaseUser) -> QuerySet[OutboxMessage]:
    """The user's in-app notifications not yet marked read, newest first."""
    return inbox_for(user).filter(read_at__isnull=True)


def unread_count(user: AbstractBaseUser) -> int:
    return unread_for(user).count()


def status_counts() -> dict[str, int]:
    """How many messages are in each status: for health checks and the operator."""
    rows = OutboxMessage.objects.values("status").annotate(n=Count("pk")).order_by()
    counts = dict.fromkeys(Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
