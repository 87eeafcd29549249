"""The public list, the public API list and Open311 GET cost a fixed number of queries,
whatever the number of complaints (no N+1), and the page never counts the whole table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.bench.test_query_counts import queries_of
from tests.complaints.conftest import file

pytestmark = pytest.mark.django_db

MAX_QUERIES = 6
# Open311 GET: the jurisdiction and the page of pre-rendered rows (no response cache).
MAX_OPEN311_QUERIES = 2
J = {"jurisdiction_id": "kotacontoh.go.id"}


def _measure(calls: dict[str, Callable[[], Any]]) -> dict[str, int]:
    return {name: queries_of(call) for name, call in calls.items()}


def _calls(client: Client) -> dict[str, Callable[[], Any]]:
    return {
        "public list": lambda: client.get("/pengaduan/"),
        "api list": lambda: client.get("/api/v1/complaints", J),
        "open311 json": lambda: client.get("/open311/v2/requests.json", J),
        "open311 xml": lambda: client.get("/open311/v2/requests.xml", J),
    }


def test_lists_run_the_same_queries_with_3_and_30_complaints(demo: Any) -> None:
    client = Client()
    for _ in range(3):
        file()
    cache.clear()
    calls = _calls(client)
    for call in calls.values():
        call()  # warm per-process caches (calendar, sessions)
    small = _measure(calls)
    for _ in range(27):
        file(is_anonymous=True)
    large = _measure(calls)
    assert small == large
    limits = {name: MAX_OPEN311_QUERIES if "open311" in name else MAX_QUERIES for name in large}
    assert all(large[name] <= limits[name] for name in large), large


def test_open311_get_shows_a_change_at_once(demo: Any) -> None:
    from loket.complaints import services
    from tests.complaints.conftest import officer

    client = Client()
    filed = file().complaint
    first = client.get("/open311/v2/requests.json", J)
    assert [r["status"] for r in first.json()] == ["open"]
    assert queries_of(lambda: client.get("/open311/v2/requests.json", J)) == MAX_OPEN311_QUERIES
    services.reject(
        complaint_id=filed.pk,
        officer=officer("andi"),
        reason="Bukan kewenangan kami.",
    )
    after = client.get("/open311/v2/requests.json", J).json()
    assert [(r["service_request_id"], r["status"]) for r in after] == [
        (filed.tracking_number, "closed")
    ]
