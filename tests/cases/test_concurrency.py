"""Real concurrent transactions (threads, each with its own connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from loket.cases import services
from loket.cases.intake import Applicant
from loket.cases.models import Case, CaseEvent, CaseStatus, Task
from loket.core.errors import ConflictError
from tests.cases.conftest import NIK, iu_data, iu_documents, officer
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


def _submit(key: str = "") -> services.Submission:
    """An application to the demo's micro-business service (tests that need its officers)."""
    return services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data=iu_data(),
        documents=iu_documents(),
        idempotency_key=key,
    )


def test_two_holders_claiming_one_task_at_once_exactly_one_gets_it(demo):
    case = _submit().case
    task = Task.objects.get(case=case, step_id="verifikasi-berkas")
    andi, rina = officer("andi"), officer("rina")

    results = _race(
        lambda: services.claim_task(task_id=task.pk, officer=andi),
        lambda: services.claim_task(task_id=task.pk, officer=rina),
    )

    conflicts = [r for r in results if isinstance(r, ConflictError)]
    wins = [r for r in results if isinstance(r, Task)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    assert conflicts[0].code == "task_claimed"
    assert CaseEvent.objects.filter(case=case, kind="claimed").count() == 1


def test_a_decision_and_a_withdrawal_at_once_do_not_deadlock_and_one_wins(demo):
    # The decision locks case and task in one statement; the withdrawal locks the case,
    # then cancels its tasks. Both take the case first, so neither waits on the other
    # in a cycle: one commits, the other sees its result.
    case = _submit().case
    task = Task.objects.get(case=case, step_id="verifikasi-berkas")
    andi = officer("andi")

    results = _race(
        lambda: services.decide(task_id=task.pk, officer=andi, decision="approve"),
        lambda: services.cancel(case_id=case.pk, reason="Tidak jadi."),
    )

    assert all(isinstance(r, (CaseEvent, Case, ConflictError)) for r in results), results
    assert sum(isinstance(r, ConflictError) for r in results) <= 1
    case.refresh_from_db()
    assert case.status == "cancelled" and case.current_steps == []
    assert not Task.objects.filter(case=case, status="open").exists()
    sequences = list(case.events.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))
