"""The serial points of a multi-machine deployment, measured: document numbering and
the ledger append, each one row lock that every writer of an agency (numbering) or
of the whole installation (ledger) queues on.

Each operation runs in its own short transaction, as the worker's reservation
and an engine step do, from 1, 2, 4 and 8 threads (one connection each); the
figure is committed operations per second, i.e. the ceiling of that point.

    python bench/serial_points.py --database-url URL --data-dir DIR --out r.json
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from typing import Any

from harness import setup_django, write_result


def _rate(operation: Callable[[int], None], threads: int, seconds: float) -> float:
    from django.db import connection

    done = [0] * threads
    stop = time.perf_counter() + seconds

    def loop(slot: int) -> None:
        try:
            while time.perf_counter() < stop:
                operation(slot * 10_000_000 + done[slot])
                done[slot] += 1
        finally:
            connection.close()

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return round(sum(done) / (time.perf_counter() - started), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    setup_django(args.database_url, args.data_dir)

    from django.db import transaction
    from django.utils import timezone

    from loket.documents.numbering import next_number
    from loket.ledger.services import append
    from loket.org.models import Agency

    agency = Agency.objects.get(code="kota-contoh")
    now = timezone.now()

    def draw_number(_i: int) -> None:
        with transaction.atomic():
            next_number(agency, "BENCH/{seq:6}/{year}", now)

    def ledger_append(i: int) -> None:
        with transaction.atomic():
            append(kind="bench.serial", payload={"n": i})

    result: dict[str, Any] = {"part": "serial_points", "seconds": args.seconds}
    for name, operation in (("document_number", draw_number), ("ledger_append", ledger_append)):
        result[name] = {str(t): _rate(operation, t, args.seconds) for t in args.threads}
    write_result(args.out, result)


if __name__ == "__main__":
    main()
