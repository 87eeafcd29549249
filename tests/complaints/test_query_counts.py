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
J = {"jurisdiction_id": "kotacontoh.go.id"}


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
    small = {name: queries_of(call) for name, call in calls.items()}
    for _ in range(27):
        file(is_anonymous=True)
    large = {name: queries_of(call) for name, call in calls.items()}
    assert small == large
    assert max(large.values()) <= MAX_QUERIES, large
