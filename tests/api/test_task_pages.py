"""GET /tasks in pages: cursor (keyset) pagination with RFC 8288 Link headers, and filters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from loket.cases.models import Task, TaskStatus
from tests.cases.conftest import fast_passwords, post_application, token_for

__all__ = ["fast_passwords", "token_for"]

pytestmark = pytest.mark.django_db


def _next(response: Any) -> str | None:
    link = response.headers.get("Link")
    if not link:
        return None
    match = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert match, link
    parts = urlsplit(match.group(1))
    return f"{parts.path}?{parts.query}"


def _fill_queue(count: int) -> Task:
    """`count` extra open tasks at the first task's position: overdue, due later, none."""
    first = Task.objects.filter(status=TaskStatus.OPEN).order_by("pk").first()
    assert first is not None
    now = timezone.now()
    Task.objects.bulk_create(
        Task(
            case=first.case,
            step_id=first.step_id,
            name=first.name,
            position=first.position,
            status=TaskStatus.OPEN,
            created_at=now - dt.timedelta(minutes=i % 97),
            # a third overdue, a third due within weeks, a third with no due moment;
            # many share a due moment, so the tie-breakers are exercised
            due_at=(
                None if i % 3 == 2 else now + dt.timedelta(days=(-5 if i % 3 == 0 else 5) + i % 7)
            ),
        )
        for i in range(count)
    )
    return first


def test_ten_thousand_tasks_page_by_cursor_each_once_in_queue_order(
    demo: Any, client: Client, token_for: Callable[[str], dict[str, str]]
) -> None:
    post_application(client)
    first = _fill_queue(10_000)
    andi = token_for("andi")
    seen: list[dict[str, Any]] = []
    url: str | None = "/api/v1/tasks?limit=500"
    pages = 0
    while url:
        response = client.get(url, headers=andi)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body) <= 500
        seen.extend(body)
        url = _next(response)
        pages += 1
        assert pages <= 25
    ids = [t["id"] for t in seen]
    expected = Task.objects.filter(status=TaskStatus.OPEN, position=first.position).count()
    assert expected > 10_000
    assert len(ids) == len(set(ids)) == expected
    assert pages == -(-expected // 500)
    # overdue first, then by due moment with "no due moment" last, then oldest
    ranks = [(not t["is_overdue"], t["due_at"] is None) for t in seen]
    assert ranks == sorted(ranks)
    dues = [t["due_at"] for t in seen if t["due_at"] and not t["is_overdue"]]
    assert dues == sorted(dues)


def test_filters_travel_with_the_cursor_and_a_foreign_cursor_is_refused(
    demo: Any, client: Client, token_for: Callable[[str], dict[str, str]]
) -> None:
    post_application(client)
    _fill_queue(30)
    andi = token_for("andi")
    soon = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = client.get("/api/v1/tasks", {"limit": 10, "due_before": soon}, headers=andi)
    assert response.status_code == 200
    limit = dt.datetime.fromisoformat(soon)
    assert response.json()
    assert all(dt.datetime.fromisoformat(t["due_at"]) < limit for t in response.json())
    follow = _next(response)
    assert follow is not None and "due_before=" in follow
    second = client.get(follow, headers=andi)
    assert second.status_code == 200
    assert not {t["id"] for t in second.json()} & {t["id"] for t in response.json()}

    cursor = parse_qs(urlsplit(follow).query)["cursor"][0]
    other = client.get("/api/v1/tasks", {"limit": 10, "cursor": cursor}, headers=andi)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/cursor_query_mismatch")
    assert other.json()["field"] == "cursor"
    forged = client.get("/api/v1/tasks", {"cursor": cursor[:-3] + "abc"}, headers=andi)
    assert forged.status_code == 422
    assert forged.json()["type"].endswith("/invalid_cursor")

    none = client.get("/api/v1/tasks", {"service": "no-such-service"}, headers=andi)
    assert none.status_code == 200 and none.json() == [] and "Link" not in none.headers
    done = client.get("/api/v1/tasks", {"status": "done"}, headers=andi)
    assert done.status_code == 200 and all(t["status"] == "done" for t in done.json())
    assert client.get("/api/v1/tasks", {"status": "weird"}, headers=andi).status_code == 422


@pytest.mark.parametrize(
    ("due_before", "expect_some"),
    [
        # ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59): read in UTC.
        ("2999-01-20T10:28:45+17:20", True),
        ("1266-01-20T10:28:45-23:59", False),
        # The calendar's ends, whose UTC moment Python cannot hold: clamped.
        ("0001-01-01T00:00:00+17:20", False),
        ("9999-12-31T23:59:59-23:00", True),
        # No offset: the site's time zone.
        ("2999-01-01T00:00:00", True),
    ],
)
def test_due_before_takes_any_iso_moment(
    demo: Any,
    client: Client,
    token_for: Callable[[str], dict[str, str]],
    due_before: str,
    expect_some: bool,
) -> None:
    post_application(client)
    _fill_queue(3)
    response = client.get("/api/v1/tasks", {"due_before": due_before}, headers=token_for("andi"))

    assert response.status_code == 200, response.content
    assert bool(response.json()) is expect_some


@pytest.mark.parametrize(
    "due_before", ["-3.039279666661143e-249", "1700000000", "1.5", "tomorrow", ""]
)
def test_due_before_refuses_what_is_not_an_iso_moment(
    demo: Any, client: Client, token_for: Callable[[str], dict[str, str]], due_before: str
) -> None:
    # pydantic alone would read a number as seconds since 1970 and answer 200.
    response = client.get("/api/v1/tasks", {"due_before": due_before}, headers=token_for("andi"))

    assert response.status_code == 422, response.content
    assert "due_before" in response.content.decode()
