"""Surveys: the IKM of one unit period with 100,000 responses, recomputed from the rows.

The target (issue 14) is under 200 ms for `selectors.report(period)`: the per-element
sums and counts from the period's running tally (one primary-key read; the read model
kept by every response's transaction), the population N, then the exact computation.
The same report recomputed from all 100,000 rows (one aggregate, as publishing does)
is measured beside it. Responses are bulk-inserted with ratings drawn from a fixed seed;
timing repeats the whole report and keeps the median; SQL statements are counted.

    python bench/surveys.py --database-url URL --data-dir DIR --responses 100000 --out r.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from typing import Any

from harness import setup_django, write_result

TARGET_MS = 200.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    setup_django(args.database_url, args.data_dir)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loket.org.models import Unit
    from loket.surveys import selectors, services
    from loket.surveys.models import Channel, Response

    unit = Unit.objects.get(code="dpmptsp")
    period = services.define_period(
        unit=unit,
        code="bench",
        name="Bench",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        population=150_000,
    )
    rng = random.Random(14)
    started = time.perf_counter()
    batch: list[Response] = []
    for _ in range(args.responses):
        ratings = {
            f"u{i}": (None if rng.random() < 0.01 else rng.randint(1, 4)) for i in range(1, 10)
        }
        batch.append(Response(period=period, channel=Channel.ONLINE, **ratings))
        if len(batch) == 5000:
            Response.objects.bulk_create(batch)
            batch.clear()
    Response.objects.bulk_create(batch)
    services.rebuild_tally(period=period)
    insert_s = time.perf_counter() - started

    def timed(from_rows: bool, repeats: int) -> tuple[list[float], int, Any]:
        selectors.report(period, from_rows=from_rows)  # warm caches (rules, SQL compilation)
        timings = []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                report = selectors.report(period, from_rows=from_rows)
                timings.append((time.perf_counter() - began) * 1000)
        return timings, len(queries.captured_queries), report

    timings, query_count, report = timed(False, args.repeats)
    # The same figure recomputed from every stored row, as publishing does.
    row_timings, row_queries, from_rows = timed(True, 5)
    assert from_rows.result == report.result
    median = statistics.median(timings)
    write_result(
        args.out,
        {
            "responses": report.result.respondents,
            "insert_s": round(insert_s, 1),
            "report_ms_p50": round(median, 1),
            "report_ms_max": round(max(timings), 1),
            "queries": query_count,
            "from_rows_ms_p50": round(statistics.median(row_timings), 1),
            "from_rows_queries": row_queries,
            "ikm": str(report.result.ikm),
            "target_ms": TARGET_MS,
            "meets_target": median < TARGET_MS,
        },
    )


if __name__ == "__main__":
    main()
