"""Counters in a time window, kept in the cache, for brakes on abuse.

Keys are hashed, so an e-mail address or phone number used as a key never
reaches the cache (or Redis) in clear. The window starts at the first hit
and is not extended by later ones.
"""

from __future__ import annotations

import hashlib

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client address django-axes uses (honours LOKET_TRUSTED_PROXIES)."""
    return get_client_ip_address(request) or "unknown"


def key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8", "replace")).hexdigest()
    return f"limit.{scope}.{digest[:32]}"


def count(scope: str, value: str) -> int:
    return int(cache.get(key(scope, value), 0))


def hit(scope: str, value: str, *, window_seconds: int) -> int:
    """Count one more event for `value` in `scope`; returns the count in the window."""
    name = key(scope, value)
    # add() starts the window only on the first hit; incr() keeps its expiry.
    cache.add(name, 0, window_seconds)
    try:
        return int(cache.incr(name))
    except ValueError:  # expired between add and incr
        cache.set(name, 1, window_seconds)
        return 1


def is_over(scope: str, value: str, limit: int) -> bool:
    return count(scope, value) >= limit


def allow(scope: str, value: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event unless `value` has reached `limit` in the window (then False,
    not counted)."""
    if is_over(scope, value, limit):
        return False
    hit(scope, value, window_seconds=window_seconds)
    return True
