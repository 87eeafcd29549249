"""Real concurrent transactions (threads, each with its own connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from loket.cases import services
from loket.cases.models import Case, CaseEvent, CaseStatus, Task
from loket.core.errors import ConflictError
from tests.cases.factories import ServiceWorld, make_service, submit_application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def _race(*acts: Callable[[], Any]) -> list[Any]:
    """Run the acts at the same moment in threads; return their results or exceptions."""
    barrier = threading.Barrier(len(acts))
    results: list[Any] = [None] * len(acts)

    def run(index: int, act: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = act()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def service() -> ServiceWorld:
    # One small service in a fresh agency: a transactional test flushes and rebuilds it.
    return make_service()


def test_two_officers_deciding_the_same_task_at_once_exactly_one_wins(service: ServiceWorld):
    case = submit_application(service.service_code).case
    task = Task.objects.get(case=case, step_id="pemeriksaan")
    holder, colleague = service.holder, service.colleague

    results = _race(
        lambda: services.decide(task_id=task.pk, officer=holder, decision="approve"),
        lambda: services.decide(task_id=task.pk, officer=colleague, decision="approve"),
    )

    conflicts = [r for r in results if isinstance(r, ConflictError)]
    wins = [r for r in results if isinstance(r, CaseEvent)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    assert conflicts[0].code == "task_already_decided"
    assert "Petugas Front Office" in conflicts[0].message
    assert CaseEvent.objects.filter(case=case, kind="decided").count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED


def test_the_same_submission_sent_twice_at_once_creates_one_case(service: ServiceWorld):
    def submit() -> services.Submission:
        return submit_application(service.service_code, idempotency_key="retry-key-1")

    results = _race(submit, submit)

    assert all(isinstance(r, services.Submission) for r in results), results
    assert {r.case.pk for r in results} == {Case.objects.get().pk}
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].access_code == results[1].access_code


def test_concurrent_submissions_get_distinct_tracking_numbers(service: ServiceWorld):
    results = _race(*[lambda: submit_application(service.service_code) for _ in range(4)])

    numbers = {r.case.tracking_number for r in results}
    assert len(numbers) == 4, results
