"""GET /tasks/{id}: one task, for officers whose reach covers its case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.cases.conftest import fast_passwords, post_application, token_for

__all__ = ["fast_passwords", "token_for"]

pytestmark = pytest.mark.django_db


def test_an_officer_reads_one_task_in_reach_and_not_others(
    demo: Any, client: Client, token_for: Callable[[str], dict[str, str]]
) -> None:
    number = post_application(client).json()["tracking_number"]
    andi = token_for("andi")
    [task] = [
        t for t in client.get("/api/v1/tasks", headers=andi).json()
        if t["tracking_number"] == number
    ]  # fmt: skip
    one = client.get(f"/api/v1/tasks/{task['id']}", headers=andi)
    assert one.status_code == 200 and one.json() == task
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=token_for("rudi")).status_code == 403
    missing = client.get("/api/v1/tasks/999999", headers=andi)
    assert missing.status_code == 404 and missing.json()["field"] == "task_id"


def test_the_queue_reads_no_personal_data_it_does_not_show(
    demo: Any, client: Client, token_for: Callable[[str], dict[str, str]]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    number = post_application(client).json()["tracking_number"]
    andi = token_for("andi")
    with CaptureQueriesContext(connection) as queries:
        listed = client.get("/api/v1/tasks", headers=andi).json()
    [task] = [t for t in listed if t["tracking_number"] == number]
    assert task["applicant_name"] and task["applicant_nik"].count("*") == 8
    [query] = [q["sql"] for q in queries.captured_queries if '"cases_task"."step_id"' in q["sql"]]
    # Each of these is a decryption per row that the list would throw away.
    for column in ("applicant_email", "applicant_phone", "applicant_card", "data"):
        assert f'"cases_case"."{column}"' not in query, column
