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
