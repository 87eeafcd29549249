"""SQLite's write lock is handed over promptly: Loket retries `BEGIN IMMEDIATE` itself,
within the same timeout, instead of SQLite's busy handler (loket.core.sqlite)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from loket.core.sqlite import base

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend")


def _wrapper(path: Path, timeout: float) -> base.DatabaseWrapper:
    options = {**connection.settings_dict["OPTIONS"], "timeout": timeout}
    return base.DatabaseWrapper(
        {**connection.settings_dict, "NAME": str(path), "OPTIONS": options}, alias="handover"
    )


def _hold(path: Path, seconds: float, released: list[float], ready: threading.Event) -> None:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    ready.set()
    time.sleep(seconds)
    released.append(time.monotonic())
    holder.execute("COMMIT")
    holder.close()


@pytest.fixture
def database(tmp_path: Path, django_db_blocker: Any) -> Any:
    """A WAL database of its own (not the test database), opened by these tests' own
    connections."""
    path = tmp_path / "handover.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (x INTEGER)")
    with django_db_blocker.unblock():
        yield path


def _holding(database: Path, seconds: float) -> tuple[threading.Thread, list[float]]:
    released: list[float] = []
    ready = threading.Event()
    thread = threading.Thread(target=_hold, args=(database, seconds, released, ready))
    thread.start()
    assert ready.wait(10)
    return thread, released


def test_the_settings_use_this_backend():
    assert connection.settings_dict["ENGINE"] == "loket.core.sqlite"
    assert isinstance(connections["default"], base.DatabaseWrapper)


def test_a_waiting_transaction_starts_once_the_lock_is_free(database: Path):
    waiter = _wrapper(database, timeout=10)
    waiter.ensure_connection()
    thread, released = _holding(database, 0.3)
    waiter._start_transaction_under_autocommit()
    started = time.monotonic()
    thread.join()
    # It waited for the holder's COMMIT, and now holds the lock itself.
    assert released and started >= released[0]
    waiter.connection.execute("INSERT INTO t VALUES (1)")
    waiter.connection.execute("COMMIT")
    waiter.close()


def test_a_lock_held_past_the_timeout_is_the_usual_error(database: Path):
    waiter = _wrapper(database, timeout=0.3)
    waiter.ensure_connection()
    thread, _released = _holding(database, 1.5)
    began = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        waiter._start_transaction_under_autocommit()
    # Not given up before the timeout (the pauses are short; the deadline is the timeout).
    assert time.monotonic() - began >= 0.3 - base.LONGEST_PAUSE_S
    thread.join()
    assert not waiter.connection.in_transaction
    waiter.close()


def test_other_statements_keep_sqlites_own_busy_timeout(database: Path):
    waiter = _wrapper(database, timeout=7)
    waiter.ensure_connection()
    (before,) = waiter.connection.execute("PRAGMA busy_timeout").fetchone()
    waiter._start_transaction_under_autocommit()
    (during,) = waiter.connection.execute("PRAGMA busy_timeout").fetchone()
    waiter.connection.execute("COMMIT")
    assert before == during == 7000
    waiter.close()


def test_an_error_other_than_busy_is_not_retried(database: Path, monkeypatch: Any):
    waiter = _wrapper(database, timeout=5)
    waiter.ensure_connection()
    attempts: list[str] = []

    class Refusing:
        def execute(self, sql: str) -> None:
            attempts.append(sql)
            raise OperationalError("disk I/O error")

        def close(self) -> None:
            pass

    monkeypatch.setattr(waiter, "cursor", Refusing)
    with pytest.raises(OperationalError, match="disk I/O error"):
        waiter._start_transaction_under_autocommit()
    assert attempts == ["BEGIN IMMEDIATE"]
    (restored,) = waiter.connection.execute("PRAGMA busy_timeout").fetchone()
    assert restored == 5000
    waiter.close()
