"""Several workers delivering at once never send the same message twice."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from loket.notify import services
from loket.notify.models import OutboxMessage
from tests.conftest_smtp import SmtpServer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_concurrent_workers_send_each_message_exactly_once(
    smtp_server: SmtpServer, dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Shared-cache in-memory SQLite fails at once with "table is locked"
        # instead of waiting; a file database (WAL, IMMEDIATE, busy timeout)
        # serialises the claims, and PostgreSQL runs this test for real.
        pytest.skip("the in-memory SQLite test database locks whole tables across threads")
    with transaction.atomic():
        for n in range(24):
            services.enqueue(
                event="received",
                language="id",
                email=f"applicant{n}@example.id",
                context=case_context,
                dedupe_key=f"case-{n}:received",
            )
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            while services.deliver_due(4).claimed:
                pass
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    recipients = [mail.rcpt_tos[0] for mail in smtp_server.messages]
    assert sorted(recipients) == sorted(f"applicant{n}@example.id" for n in range(24))
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_concurrent_enqueues_of_one_event_create_one_message(
    dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs row-level locking to hold two enqueues at the unique key")
    first_inserted = threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def enqueue() -> int:
        [message] = services.enqueue(
            event="received",
            language="id",
            email="dewi@example.id",
            context=case_context,
            dedupe_key="case-1:received",
        )
        return message.pk

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = enqueue()
                first_inserted.set()
                _wait_until_another_session_waits_for_a_lock()
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            first_inserted.set()
            connection.close()

    def second() -> None:
        try:
            first_inserted.wait(30)
            with transaction.atomic():
                results["second"] = enqueue()  # blocks on the unique key
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert results["first"] == results["second"]
    assert OutboxMessage.objects.count() == 1


def _wait_until_another_session_waits_for_a_lock() -> None:
    import time

    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # pg_locks is live; pg_stat_activity would be a snapshot frozen for
            # the rest of this (still open) transaction.
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the second enqueue never waited for the first")
