"""Concurrent appenders in separate transactions still produce a gap-free log."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from loket.ledger import services
from loket.ledger.models import LedgerEntry

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

WRITERS = 4
APPENDS_EACH = 15


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database cannot hold concurrent writers",
)
def test_concurrent_appends_from_an_empty_log_get_distinct_gap_free_indexes() -> None:
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for step in range(APPENDS_EACH):
                with transaction.atomic():
                    services.append(kind="case.step", payload={"writer": number, "step": step})
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    indexes = list(LedgerEntry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(WRITERS * APPENDS_EACH))
    services.sign_tree_head()
    assert services.verify_log().is_intact
