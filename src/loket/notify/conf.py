"""Notification settings and their defaults; docs/notifications.md lists them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def max_attempts() -> int:
    """Attempts before a message is dead-lettered; 10 spans several hours of backoff."""
    return int(getattr(settings, "LOKET_NOTIFY_MAX_ATTEMPTS", 10))


def backoff_base() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "LOKET_NOTIFY_BACKOFF_BASE_SECONDS", 60)))


def backoff_cap() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "LOKET_NOTIFY_BACKOFF_CAP_SECONDS", 6 * 3600)))


def lease() -> timedelta:
    """How long a claimed message may stay in `sending` before the sweep takes it back.

    Must be far longer than the slowest send (SMTP and SMS timeouts are tens of
    seconds) so that a live worker never loses its claim: that is what keeps a
    message from being sent twice under normal operation.
    """
    return timedelta(seconds=float(getattr(settings, "LOKET_NOTIFY_LEASE_SECONDS", 600)))


def sms_backend() -> str:
    return str(getattr(settings, "LOKET_SMS_BACKEND", "loket.notify.channels.FileSmsGateway"))


def sms_gateway_url() -> str:
    return str(getattr(settings, "LOKET_SMS_GATEWAY_URL", ""))


def sms_gateway_token() -> str:
    return str(getattr(settings, "LOKET_SMS_GATEWAY_TOKEN", ""))


def sms_gateway_timeout() -> float:
    return float(getattr(settings, "LOKET_SMS_GATEWAY_TIMEOUT", 10))
