"""Fixtures for notification tests: an event context and task backends to run or record tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest


@pytest.fixture
def case_context() -> dict[str, Any]:
    return {
        "applicant_name": "Ni Luh Putu Déwi",
        "tracking_number": "IUM-2026-000123",
        "service_name": "Izin Usaha Mikro – Kuliner & Minuman",
        "track_url": "https://loket.example.go.id/lacak/IUM-2026-000123",
        "due_date": dt.date(2026, 3, 5),
    }


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Tasks run in the enqueuing thread, so `deliver_outbox` runs right after commit."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def dummy_tasks(settings: Any) -> Any:
    """Tasks are only recorded; returns the backend so a test can see what was enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    return default_task_backend
