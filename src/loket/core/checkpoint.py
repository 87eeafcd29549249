"""SQLite's WAL checkpoints in the worker, not in the officer's or applicant's request.

In WAL mode every commit appends pages to the log, and by default the connection that
commits past 1,000 pages copies them back into the database file and syncs it, inside
that commit: one step in about forty paid ~5 ms for it, which was the engine's whole
p99 (decide p50 1.3 ms, p99 7 ms; 2 ms with the checkpoint moved out). So connections
checkpoint on their own only past `LOKET_SQLITE_AUTOCHECKPOINT_PAGES` (settings; a
backstop for a platform run without its worker), and `loket worker` checkpoints every
round (about a second).

PASSIVE never waits for readers or writers: pages a reader still needs stay in the log
for the next round. A checkpoint changes where committed pages live, not whether they
are durable, so moving it changes nothing for a crash. PostgreSQL checkpoints itself.
"""

from __future__ import annotations

from django.db import connections


def checkpoint(alias: str = "default") -> tuple[int, int] | None:
    """Copy the log's committed pages into the database file without waiting for anyone.

    Returns (pages in the log, pages copied) on SQLite in WAL mode, None otherwise."""
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        _busy, log_pages, copied = cursor.fetchone()
    if log_pages < 0:  # not in WAL mode (an in-memory database)
        return None
    return int(log_pages), int(copied)
