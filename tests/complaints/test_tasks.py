"""The worker runs the complaint timers periodically."""

from __future__ import annotations

from typing import Any

import pytest

from loket.complaints.models import Status
from loket.complaints.tasks import complaint_timers
from loket.core.management.commands.worker import default_schedule
from tests.complaints.conftest import at, file, reload

pytestmark = pytest.mark.django_db


def test_the_worker_schedules_the_complaint_timers() -> None:
    paths = [p.task_path for p in default_schedule()]
    assert "loket.complaints.tasks:complaint_timers" in paths


def test_the_timer_task_escalates_an_overdue_complaint(demo: Any) -> None:
    complaint = file(now=at(2)).complaint  # verification was due on 5 March 2026
    assert complaint_timers.call() == {"escalated": 1, "closed": 0}
    complaint = reload(complaint)
    assert complaint.escalated_at is not None
    assert complaint.status == Status.RECEIVED
