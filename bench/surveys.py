"""Surveys: the IKM of one unit period with 100,000 responses, recomputed from the rows.

The target (issue 14) is under 200 ms for `selectors.report(period)`: the per-element
sums and counts in one aggregate statement, the population N in one count, then the
exact computation. Responses are bulk-inserted with ratings drawn from a fixed seed;
timing repeats the whole report and keeps the median; SQL statements are counted.

    python bench/surveys.py --database-url URL --data-dir DIR --responses 100000 --out r.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

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
    insert_s = time.perf_counter() - started

    selectors.report(period)  # warm caches (rules file, query compilation)
    timings = []
    for _ in range(args.repeats):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            report = selectors.report(period)
            timings.append((time.perf_counter() - began) * 1000)
    median = statistics.median(timings)
    write_result(
        args.out,
        {
            "responses": report.result.respondents,
            "insert_s": round(insert_s, 1),
            "report_ms_p50": round(median, 1),
            "report_ms_max": round(max(timings), 1),
            "queries": len(queries.captured_queries),
            "ikm": str(report.result.ikm),
            "target_ms": TARGET_MS,
            "meets_target": median < TARGET_MS,
        },
    )


if __name__ == "__main__":
    main()
