"""The officer queue, the tracking API and the overdue count cost a fixed number of queries.

Timing belongs to bench/growth.py; here the shape of the work is pinned down:
the same request with 3 and with 30 cases in the database runs the same
number of SQL queries, so cost cannot grow with history (no N+1 queries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from loket.cases import selectors, services
from loket.cases.models import Case, Task, TaskStatus
from loket.demo.agency import load_demo
from loket.org.models import Officer, Unit
from tests.cases.conftest import post_application

# Upper bounds, so a change that adds queries is noticed even if it stays flat.
MAX_QUEUE_QUERIES = 8
MAX_TRACKING_QUERIES = 8
MAX_OVERDUE_QUERIES = 3


class QueryCounter:
    """Counts the SQL statements run while installed (`connection.execute_wrapper`)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def queries_of(call: Callable[[], Any]) -> int:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        call()
    return counter.count


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_submission_limits(settings: Any) -> None:
    # These tests submit 30 applications from one address and contact on purpose.
    settings.LOKET_SUBMISSIONS_PER_ADDRESS = settings.LOKET_SUBMISSIONS_PER_EMAIL = 10**9
    settings.LOKET_SUBMISSIONS_PER_PHONE = settings.LOKET_SMS_PER_PHONE = 10**9


@pytest.fixture
def demo(db: Any) -> Any:
    return load_demo()


@pytest.fixture
def officer_headers(client: Client, demo: Any) -> dict[str, str]:
    from loket.demo.agency import DEMO_PASSWORD
    from loket.workspace.otp import code_for, confirmed_devices

    user = Officer.objects.get(user__username="andi").user
    devices = confirmed_devices(user)
    response = client.post(
        "/api/v1/auth/token",
        {
            "username": "andi",
            "password": DEMO_PASSWORD,
            "otp": code_for(devices[0]) if devices else "",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


def submit_until(client: Client, total: int) -> list[tuple[str, str]]:
    """Submit applications through the API until `total` exist; return their receipts."""
    receipts = []
    while Case.objects.count() < total:
        response = post_application(client)
        assert response.status_code == 201, response.content
        body = response.json()
        receipts.append((body["tracking_number"], body["access_code"]))
    return receipts


def make_overdue(days: int = 30) -> None:
    """Move every open task's and case's deadline into the past."""
    past = timezone.now() - dt.timedelta(days=days)
    Task.objects.filter(status=TaskStatus.OPEN).update(due_at=past)
    Case.objects.update(due_at=past)


def test_officer_queue_runs_the_same_queries_for_3_and_30_open_tasks(
    client: Client, officer_headers: dict[str, str], django_assert_max_num_queries: Any
) -> None:
    submit_until(client, 3)
    make_overdue()

    def queue() -> None:
        response = client.get("/api/v1/tasks", headers=officer_headers)
        assert response.status_code == 200
        assert len(response.json()) == Case.objects.count()

    with django_assert_max_num_queries(MAX_QUEUE_QUERIES):
        queue()
    with_3 = queries_of(queue)
    submit_until(client, 30)
    make_overdue()
    with_30 = queries_of(queue)
    assert with_3 == with_30


def test_tracking_runs_the_same_queries_with_3_and_30_cases(
    client: Client, demo: Any, django_assert_max_num_queries: Any
) -> None:
    tracking, access_code = submit_until(client, 3)[0]

    def track() -> None:
        response = client.get(
            f"/api/v1/applications/{tracking}", headers={"X-Access-Code": access_code}
        )
        assert response.status_code == 200
        assert response.json()["tracking_number"] == tracking

    with django_assert_max_num_queries(MAX_TRACKING_QUERIES):
        track()
    with_3 = queries_of(track)
    submit_until(client, 30)
    with_30 = queries_of(track)
    assert with_3 == with_30


def test_tracking_a_case_with_a_long_history_runs_the_same_queries(
    client: Client, demo: Any
) -> None:
    """More events on the case itself (three decisions) do not add queries either."""
    tracking, access_code = submit_until(client, 1)[0]

    def track() -> None:
        response = client.get(
            f"/api/v1/applications/{tracking}", headers={"X-Access-Code": access_code}
        )
        assert response.status_code == 200

    before = queries_of(track)
    case = Case.objects.get(tracking_number=tracking)
    for step, username in [("verifikasi-berkas", "andi"), ("kajian-teknis", "siti")]:
        task = Task.objects.get(case=case, step_id=step, status=TaskStatus.OPEN)
        services.decide(
            task_id=task.pk,
            officer=Officer.objects.get(user__username=username),
            decision="approve",
        )
    assert queries_of(track) == before


def test_unit_overdue_count_runs_the_same_queries_for_3_and_30_cases(
    client: Client, demo: Any, django_assert_max_num_queries: Any
) -> None:
    overdue_count = selectors.overdue_count
    unit = Unit.objects.get(code="bidang-perizinan")
    submit_until(client, 3)
    make_overdue()
    with django_assert_max_num_queries(MAX_OVERDUE_QUERIES):
        assert overdue_count(unit) == 3
    with_3 = queries_of(lambda: overdue_count(unit))
    submit_until(client, 30)
    make_overdue()
    assert overdue_count(unit) == 30
    assert queries_of(lambda: overdue_count(unit)) == with_3
