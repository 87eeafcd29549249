"""The physical limit: how many transactions per second the database itself commits.

Each transaction does the same number of row writes as one engine step (the
engine benchmark counts them: so many INSERTs and so many UPDATEs per step),
through the bare DB-API driver with the project's connection settings and no
ORM, no Python logic. Its rate is the ceiling an engine step could approach.

    python bench/limit.py --database-url URL --inserts 6 --updates 3 --seconds 5 --out r.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from typing import Any
from urllib.parse import urlparse

from harness import write_result

PRESEEDED_ROWS = 10_000
# About the size of an event or outbox row the engine writes (JSON payload, names).
PAYLOAD = json.dumps({"step": "kajian-teknis", "action": "approve", "reason": "x" * 160})


def _connect(database_url: str) -> Any:
    if database_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(urlparse(database_url).path, isolation_level=None, timeout=20)
        # The project's SQLite settings (loket.settings): WAL, synchronous=NORMAL.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn
    import psycopg

    return psycopg.connect(database_url, autocommit=True)


def _is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")


def create_schema(database_url: str) -> None:
    conn = _connect(database_url)
    serial = (
        "INTEGER PRIMARY KEY AUTOINCREMENT" if _is_sqlite(database_url) else "BIGSERIAL PRIMARY KEY"
    )
    conn.execute(
        f"CREATE TABLE limit_event (id {serial}, case_id BIGINT NOT NULL, "
        "kind VARCHAR(40) NOT NULL, payload TEXT NOT NULL, at TIMESTAMP NOT NULL)"
    )
    conn.execute("CREATE INDEX limit_event_case ON limit_event (case_id)")
    conn.execute(
        "CREATE TABLE limit_case (id BIGINT PRIMARY KEY, status VARCHAR(24) NOT NULL, "
        "revision INTEGER NOT NULL, updated_at TIMESTAMP NOT NULL)"
    )
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    rows = [(i, "in_progress", 0, now) for i in range(1, PRESEEDED_ROWS + 1)]
    if _is_sqlite(database_url):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO limit_case VALUES (?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
    else:
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO limit_case VALUES (%s, %s, %s, %s)", rows)
    conn.close()


def _worker(database_url: str, inserts: int, updates: int, seconds: float, worker: int) -> int:
    """Commit transactions until the time is up; return how many committed."""
    conn = _connect(database_url)
    sqlite = _is_sqlite(database_url)
    mark = "?" if sqlite else "%s"
    insert = (
        "INSERT INTO limit_event (case_id, kind, payload, at) "
        f"VALUES ({mark}, {mark}, {mark}, {mark})"
    )
    update = f"UPDATE limit_case SET revision = revision + 1, updated_at = {mark} WHERE id = {mark}"
    cur = conn.cursor()
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        case_id = (count * 7919 + worker * 104_729) % PRESEEDED_ROWS + 1
        # IMMEDIATE as in loket.settings: take the write lock at BEGIN.
        cur.execute("BEGIN IMMEDIATE" if sqlite else "BEGIN")
        for _ in range(inserts):
            cur.execute(insert, (case_id, "decided", PAYLOAD, now))
        for offset in range(updates):
            cur.execute(update, (now, (case_id + offset) % PRESEEDED_ROWS + 1))
        cur.execute("COMMIT")
        count += 1
    conn.close()
    return count


def measure(
    database_url: str, *, inserts: int, updates: int, seconds: float, workers: int
) -> dict[str, Any]:
    started = time.perf_counter()
    if workers == 1:
        counts = [_worker(database_url, inserts, updates, seconds, 0)]
    else:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            counts = pool.starmap(
                _worker,
                [(database_url, inserts, updates, seconds, w) for w in range(workers)],
            )
    elapsed = time.perf_counter() - started
    transactions = sum(counts)
    return {
        "workers": workers,
        "inserts_per_tx": inserts,
        "updates_per_tx": updates,
        "transactions": transactions,
        "seconds": round(elapsed, 3),
        "tx_per_s": round(transactions / elapsed, 1),
        "row_writes_per_s": round(transactions * (inserts + updates) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="an empty database")
    parser.add_argument("--inserts", type=int, required=True)
    parser.add_argument("--updates", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    create_schema(args.database_url)
    runs = [
        measure(
            args.database_url,
            inserts=args.inserts,
            updates=args.updates,
            seconds=args.seconds,
            workers=w,
        )
        for w in args.workers
    ]
    write_result(args.out, {"part": "limit", "runs": runs})


if __name__ == "__main__":
    main()
