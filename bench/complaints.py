"""Complaints at scale: do filing, the public list and Open311 GET stay flat?

A working set of complaints is filed through the real operation; then history is
bulk-copied until the database holds 10 k, 100 k and 1 M complaints, and at each
size the public list page, the public API list and the Open311 `GET requests`
(JSON and XML) are timed in-process through Django's test client, with their SQL
queries counted, and filing one complaint is timed through the operation.
Goal: public list and Open311 GET under 50 ms p95 with a constant query count.

    python bench/complaints.py --database-url sqlite:////tmp/c.sqlite3 --data-dir DIR \
        --sizes 10000 100000 1000000 --out r.json
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from harness import peak_rss_mb, setup_django, write_result

CHUNK = 20_000
GOAL_MS = 50.0


def prepare() -> int:
    from django.core.management import call_command

    from loket.complaints.categories import load_dir
    from loket.demo.agency import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    agency = load_demo().agency
    load_dir()
    return int(agency.pk)


def file_one(agency_id: int, number: int) -> float:
    from loket.complaints import services

    started = time.perf_counter()
    services.file_complaint(
        agency_id=agency_id,
        filed=services.Filed(
            category_code="reklame-liar",
            description=f"Baliho roboh nomor {number} menutup trotoar.",
            latitude="-6.9",
            longitude="107.6",
            name="Warga",
            email="warga@example.id",
        ),
    )
    return time.perf_counter() - started


def grow_to(size: int) -> None:
    """Copy the newest complaint (without contact data) until `size` complaints exist."""
    import uuid

    from loket.complaints.models import Complaint

    template = Complaint.objects.order_by("-pk").first()
    assert template is not None
    have = Complaint.objects.count()
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Complaint._meta.concrete_fields
        if f.attname
        not in (
            "id",
            "tracking_number",
            "token",
            "reporter_name",
            "reporter_email",
            "reporter_phone",
            "public_json",
            "public_xml",
        )
    }

    def copy(number: str) -> Complaint:
        # bulk_create skips save(): the copy's pre-rendered Open311 row is the template's
        # with its own request id, which is the only field that differs.
        return Complaint(
            **fields,
            tracking_number=number,
            token=uuid.uuid4(),
            public_json=template.public_json.replace(template.tracking_number, number, 1),
            public_xml=template.public_xml.replace(template.tracking_number, number, 1),
        )

    from loket.complaints import counts

    unit_id, resolved = template.counted_as()
    while have < size:
        batch = min(CHUNK, size - have)
        Complaint.objects.bulk_create(
            [copy(f"BEN-{have + i:09d}") for i in range(batch)], batch_size=2000
        )
        # bulk_create skips save(), so the copies are added to the counters here.
        counts.add(unit_id, received=batch, resolved_on_time=batch * int(resolved))
        have += batch
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as after a real night's load
        cursor.execute(
            "ANALYZE" if connection.vendor == "sqlite" else "ANALYZE complaints_complaint"
        )


def time_call(call: Callable[[], Any], repeats: int) -> dict[str, Any]:
    from django.db import connection

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    for _ in range(3):
        call()
    with connection.execute_wrapper(count):
        call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return {
        "queries": queries,
        "p50_ms": round(1000 * statistics.median(samples), 2),
        "p95_ms": round(1000 * p95, 2),
    }


def probes() -> dict[str, Callable[[], Any]]:
    from django.test import Client

    client = Client()
    j = {"jurisdiction_id": "kotacontoh.go.id"}

    def get(path: str, params: dict[str, str] | None = None) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(path, params or {})
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}")
            return response

        return call

    def counts_uncached() -> Any:
        from loket.complaints.selectors import counts_per_unit

        # The per-unit counts of the public list, read as every visitor reads them (no
        # cache): the kept counters plus overdue from the deadline indexes.
        return counts_per_unit()

    return {
        "public list (GET /pengaduan/)": get("/pengaduan/"),
        "public API list (GET /api/v1/complaints)": get("/api/v1/complaints", j),
        "Open311 GET requests.json": get("/open311/v2/requests.json", j),
        "Open311 GET requests.xml": get("/open311/v2/requests.xml", j),
        "counts per unit, uncached": counts_uncached,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--working-set", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    setup_django(args.database_url, args.data_dir)
    agency_id = prepare()
    for number in range(args.working_set):
        file_one(agency_id, number)
    rows = []
    for size in args.sizes:
        grow_to(size)
        filing = sorted(file_one(agency_id, size + n) for n in range(args.repeats))
        row: dict[str, Any] = {
            "complaints": size,
            "filing_p50_ms": round(1000 * statistics.median(filing), 2),
            "probes": {name: time_call(call, args.repeats) for name, call in probes().items()},
        }
        rows.append(row)
        print(row, flush=True)
    query_counts = {
        name: {r["probes"][name]["queries"] for r in rows} for name in rows[0]["probes"]
    }
    worst_p95 = max(p["p95_ms"] for r in rows for p in r["probes"].values())
    write_result(
        args.out,
        {
            "rows": rows,
            "constant_queries": all(len(counts) == 1 for counts in query_counts.values()),
            "worst_p95_ms": worst_p95,
            "goal_met": worst_p95 < GOAL_MS,
            "peak_rss_mb": round(peak_rss_mb(), 1),
        },
    )


if __name__ == "__main__":
    main()
