"""SQLite's WAL is checkpointed by the worker, not by the commit that crosses 1,000 pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from loket.core import checkpoint as wal

pytestmark = pytest.mark.django_db(transaction=True)

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL checkpoints itself"
)


@pytest.fixture
def probe() -> Iterator[str]:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE checkpoint_probe (id INTEGER PRIMARY KEY, filler BLOB)")
        # No free pages left by earlier tests: every page written below is a new one, so
        # the file's own page count shows whether a checkpoint copied them.
        cursor.execute("VACUUM")
    yield "checkpoint_probe"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE checkpoint_probe")


def _grow(pages: int) -> None:
    """Commit about `pages` new 4 KiB pages, one row (and commit) per page."""
    with connection.cursor() as cursor:
        for _ in range(pages):
            cursor.execute("INSERT INTO checkpoint_probe (filler) VALUES (zeroblob(3500))")


def _pages_in_file() -> int:
    # The database header's own page count (offset 28): what the file itself holds,
    # not what a reader sees through the log.
    header = Path(connection.settings_dict["NAME"]).read_bytes()[:100]
    return int.from_bytes(header[28:32], "big")


def _pages_seen() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        return int(cursor.fetchone()[0])


@sqlite_only
def test_connections_leave_the_checkpoint_to_the_worker_up_to_the_backstop() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == settings.LOKET_SQLITE_AUTOCHECKPOINT_PAGES == 10_000


@sqlite_only
def test_commits_past_a_thousand_pages_do_not_checkpoint_and_the_worker_does(probe) -> None:
    wal.checkpoint()
    before = _pages_in_file()
    _grow(1_200)  # SQLite's default would have checkpointed at 1,000 pages
    assert _pages_seen() >= before + 1_200
    assert _pages_in_file() == before  # nothing copied back by the commits

    call_command("worker", "--batch", "--no-schedule")

    assert _pages_in_file() == _pages_seen()


@sqlite_only
def test_a_checkpoint_copies_every_committed_page_and_says_how_many(probe) -> None:
    _grow(20)
    log_pages, copied = wal.checkpoint()
    assert log_pages >= 20
    assert copied == log_pages
    assert _pages_in_file() == _pages_seen()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL only")
def test_postgresql_has_nothing_to_checkpoint() -> None:
    assert wal.checkpoint() is None
