"""Round trips to PostgreSQL per step, counted on the wire (ADR 0029), and that what
rides together still behaves as separate statements did: errors come out as Django's,
the transaction rolls back, the authority read sees the lock holder's commit."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction

from loket.cases import services
from loket.cases.models import Task, TaskStatus
from loket.core import prepared, server_prepared
from loket.core.errors import NotFound
from tests.cases.conftest import officer, submit_iu
from tests.cases.factories import ServiceWorld, make_service, submit_application

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="round trips of PostgreSQL"),
]

# BEGIN with the locking read, the authority read and the next task's id; the next task,
# the decided task, events, ledger queue and case; COMMIT (ADR 0031).
DECIDE_ROUND_TRIPS = 3
CLAIM_ROUND_TRIPS = 3
# As a decision, but the issue request's INSERT waits for its id (the queued job names it);
# the job's INSERT goes with the closing writes.
FINAL_APPROVAL_ROUND_TRIPS = 4
# The service (before the transaction); BEGIN with the tracking number, whether anyone
# subscribed to the agency's webhooks and the first task's id; the case (its id goes into
# every row after it); the stored files; the case's documents; the outbox; the first task,
# events, ledger queue, the delivery request and the case; COMMIT.
SUBMIT_ROUND_TRIPS = 8


@contextmanager
def round_trips() -> Iterator[list[list[str]]]:
    """The round trips on the default connection within: each a list of the messages
    sent before the server answered (libpq's protocol trace)."""
    from psycopg import pq

    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    handle, path = tempfile.mkstemp(suffix=".trace")
    trips: list[list[str]] = []
    try:
        pgconn.trace(handle)
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        yield trips
    finally:
        pgconn.untrace()
        os.close(handle)
        with open(path) as trace:
            lines = trace.read().splitlines()
        os.unlink(path)
    sending: list[str] | None = None
    for line in lines:
        if line.startswith("F\t"):
            if sending is None:
                sending = []
                trips.append(sending)
            sending.append(re.sub(r"\s+", " ", line.split("\t", 2)[2])[:80])
        elif line.startswith("B\t"):
            sending = None


def _status() -> str:
    """The server's transaction status of the default connection, as libpq knows it."""
    from psycopg import pq

    return pq.TransactionStatus(connection.connection.pgconn.transaction_status).name


@pytest.fixture
def service() -> ServiceWorld:
    return make_service()


def test_an_ordinary_decision_takes_three_round_trips(demo: Any) -> None:
    andi = officer("andi")
    warm = submit_iu()  # this process reads andi's appointments once
    services.decide(task_id=_open_task(warm, "verifikasi-berkas").pk, officer=andi,
                    decision="approve")  # fmt: skip
    case = submit_iu()
    task = _open_task(case, "verifikasi-berkas")

    with round_trips() as trips:
        services.decide(task_id=task.pk, officer=andi, decision="approve")

    assert len(trips) <= DECIDE_ROUND_TRIPS, "\n".join(map(str, trips))
    # BEGIN, the locking read, the authority read and the task id went out together; the
    # next task's INSERT with the closing writes.
    # The locking and authority reads are EXECUTEs of statements prepared once per session.
    sent = [message for message in trips[0] if message.startswith("Parse")]
    first = [server_prepared.text(message) for message in sent]
    assert len(first) == 4 and '"BEGIN"' in first[0] and "nextval" in first[3], trips[0]
    assert "EXECUTE loket_" in sent[1] and "FOR NO KEY UPDATE" in first[1], trips[0]
    closing = [message for message in trips[1] if message.startswith("Parse")]
    assert any('INSERT INTO "cases_task"' in message for message in closing), trips[1]
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.decided_by_id == andi.pk
    assert _open_task(case, "kajian-teknis").position.code == "analis-perizinan"


def test_the_final_approval_takes_four_round_trips_and_queues_its_issue(demo: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from loket.documents.models import IssueRequest

    for _warm in range(2):  # the second: every decider's appointments read, positions seen
        case = submit_iu()
        for step, who in (("verifikasi-berkas", "andi"), ("kajian-teknis", "siti")):
            services.decide(task_id=_open_task(case, step).pk, officer=officer(who),
                            decision="approve")  # fmt: skip
        task = _open_task(case, "persetujuan")
        if _warm == 0:
            services.decide(task_id=task.pk, officer=officer("dewi"), decision="approve")

    dewi = officer("dewi")

    with round_trips() as trips:
        services.decide(task_id=task.pk, officer=dewi, decision="approve")

    assert len(trips) <= FINAL_APPROVAL_ROUND_TRIPS, "\n".join(map(str, trips))
    [request] = IssueRequest.objects.filter(case=case)
    queued = DBTaskResult.objects.filter(task_path__endswith="issue_document")
    assert [request.pk] in [job.args_kwargs["args"] for job in queued]


def test_a_submission_takes_eight_round_trips(demo: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    services.decide(task_id=_open_task(submit_iu(), "verifikasi-berkas").pk,
                    officer=officer("andi"), decision="approve")  # fmt: skip
    submit_iu()

    with round_trips() as trips:
        case = submit_iu()

    assert len(trips) <= SUBMIT_ROUND_TRIPS, "\n".join(map(str, trips))
    assert _open_task(case, "verifikasi-berkas").position.code == "petugas-front-office"
    # The acknowledgement's delivery was requested in the submission's transaction.
    [message] = case_messages(case)
    delivery = DBTaskResult.objects.filter(task_path__endswith="deliver_outbox")
    assert [message.pk] in [job.args_kwargs["kwargs"]["message_ids"] for job in delivery]


def case_messages(case: Any) -> list[Any]:
    from loket.notify.models import OutboxMessage

    return list(OutboxMessage.objects.filter(dedupe_key__startswith=f"case-event:{case.pk}."))


def test_a_claim_takes_three_round_trips(demo: Any) -> None:
    andi = officer("andi")
    warm = submit_iu()
    services.claim_task(task_id=_open_task(warm, "verifikasi-berkas").pk, officer=andi)
    task = _open_task(submit_iu(), "verifikasi-berkas")

    with round_trips() as trips:
        services.claim_task(task_id=task.pk, officer=andi)

    # BEGIN with the reads; the claim's UPDATE with the event and the case; COMMIT.
    assert len(trips) <= CLAIM_ROUND_TRIPS, "\n".join(map(str, trips))
    task.refresh_from_db()
    assert task.claimed_by_id == andi.pk and task.claimed_at is not None


def _open_task(case: Any, step: str) -> Task:
    return Task.objects.get(case=case, step_id=step, status=TaskStatus.OPEN)


def test_the_first_statement_opens_the_transaction_in_its_round_trip() -> None:
    with round_trips() as trips, transaction.atomic():
        (row,) = prepared.first_rows(connection, [("SELECT 1", [])])
        assert _status() == "INTRANS"

    assert row is not None and row[0] == 1
    assert len(trips) == 2, trips  # BEGIN with the SELECT, then COMMIT
    assert "BEGIN" in trips[0][0]


def test_an_error_in_the_first_round_trip_comes_out_as_djangos_and_rolls_back() -> None:
    with pytest.raises(ProgrammingError), transaction.atomic():
        prepared.first_rows(connection, [("SELECT no_such_column FROM cases_task", [])])

    assert _status() == "IDLE"
    with transaction.atomic():  # the connection goes on as usual
        assert prepared.first_rows(connection, [("SELECT 2", [])]) == [(2,)]


def test_a_later_statement_of_the_first_round_trip_fails_and_nothing_stays(
    service: ServiceWorld,
) -> None:
    case = submit_application(service.service_code).case
    task = Task.objects.get(case=case, step_id="pemeriksaan")
    table = Task._meta.db_table
    claim = f"UPDATE {table} SET claimed_by_id = %s WHERE id = %s RETURNING id"
    broken = f"INSERT INTO {table} (id) VALUES (%s)"

    with pytest.raises(IntegrityError), transaction.atomic():
        prepared.first_rows(connection, [(claim, [service.holder.pk, task.pk]), (broken, [1])])

    task.refresh_from_db()
    assert task.claimed_by_id is None


def test_deciding_a_task_that_does_not_exist_is_a_not_found_and_leaves_no_transaction(
    service: ServiceWorld,
) -> None:
    with pytest.raises(NotFound):
        services.decide(task_id=987654, officer=service.holder, decision="approve")

    assert _status() == "IDLE"
