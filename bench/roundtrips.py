"""Round trips to PostgreSQL per engine operation, counted on the wire.

libpq's protocol trace (psycopg's `pgconn.trace`) lists every message the client
sends (F) and receives (B); a round trip is a run of sent messages answered by
received ones (a pipeline's statements and its Sync are one). For each operation of
one demo case (submit, the three decisions) this prints the round trips and the
statements each carried.

    python bench/roundtrips.py --database-url URL --data-dir DIR [--cases 3]

The database must be prepared (bench/prepare.py); not timed, one process.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from harness import setup_django
from loket.core import server_prepared

_STATEMENT = re.compile(r'^F\t\d+\t(?:Parse\t "([^"]*)"|Query\t) "(.*)"')
_BIND = re.compile(r'^F\t\d+\tBind\t "[^"]*" "([^"]+)"')
# Statements the server prepared (psycopg prepares a statement it sends often), by name.
_prepared: dict[str, str] = {}


def round_trips(trace: str) -> list[list[str]]:
    """The round trips of a libpq trace, each as the statements (or message names)
    it sent; a run of F lines answered by B lines is one."""
    trips: list[list[str]] = []
    sending: list[str] | None = None
    for line in trace.splitlines():
        if line.startswith("F\t"):
            if sending is None:
                sending = []
                trips.append(sending)
            found = _STATEMENT.match(line)
            bound = _BIND.match(line)
            if found:
                # An EXECUTE of a statement prepared once per session, shown as it runs.
                sql = " ".join(server_prepared.text(found.group(2)).split())[:110]
                if found.group(1):
                    _prepared[found.group(1)] = sql
                sending.append(sql)
            elif bound:
                sending.append("(prepared) " + _prepared.get(bound.group(1), bound.group(1)))
            elif line.split("\t")[2].split()[0] in {"Sync", "Flush"} and not sending:
                sending.append(line.split("\t")[2].split()[0])
        elif line.startswith("B\t"):
            sending = None
    return trips


@contextmanager
def traced(connection: Any) -> Iterator[Callable[[], list[list[str]]]]:
    """Trace the protocol of `connection` (a Django PostgreSQL connection) within."""
    from psycopg import pq

    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    handle, path = tempfile.mkstemp(suffix=".trace")
    trips: list[list[str]] = []
    try:
        pgconn.trace(handle)
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        yield lambda: trips
    finally:
        pgconn.untrace()
        os.close(handle)
        with open(path) as trace:
            trips.extend(round_trips(trace.read()))
        os.unlink(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--cases", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args()
    setup_django(args.database_url, args.data_dir)
    from django.db import connection

    from engine import DECIDERS, EngineDriver
    from loket.cases import services

    driver = EngineDriver(claims=False)
    with traced(connection):  # warm-up: caches, prepared statements (named), signing key
        driver.run_case(1)
    counts: dict[str, list[int]] = {}
    shown: dict[str, list[list[str]]] = {}
    for number in range(2, args.cases + 2):
        with traced(connection) as trips:
            case = driver.submit(number).case
        counts.setdefault("submit", []).append(len(trips()))
        shown["submit"] = trips()
        for step, who in DECIDERS:
            task_id = driver._open_task(case.pk, step)
            officer = driver.officers[who]
            with traced(connection) as trips:
                services.decide(
                    task_id=task_id, officer=officer, decision="approve", reason="Lengkap."
                )
            counts.setdefault(f"decide:{step}", []).append(len(trips()))
            shown[f"decide:{step}"] = trips()
    if args.json:
        print(json.dumps(counts))
        return
    for name, trips_of_last in shown.items():
        print(f"{name}: {counts[name]} round trips")
        for index, statements in enumerate(trips_of_last, 1):
            print(f"  {index:2}. " + "\n      ".join(statements or ["(no statement)"]))


if __name__ == "__main__":
    main()
