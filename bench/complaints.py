"""Complaints at scale: do filing, the public list and Open311 GET stay flat?

A working set of complaints is filed through the real operation; then generated
history is bulk-inserted until the database holds 10 k, 100 k and 1 M complaints,
received over two years and in every state (old ones mostly closed, some stuck and
overdue), each with its own pre-rendered Open311 row. At each size the public list
(first page and a year deep by keyset), one public complaint page, the public API
list, the Open311 `GET requests` (JSON and XML; the default 90-day window and one a
year back) and the uncached per-unit counts are timed in-process through Django's test
client after a warm-up, with their SQL queries counted, and filing one complaint is
timed through the operation. See `time_call` for how the garbage collector is handled.
Goal: public list and Open311 GET under 50 ms p95 with a constant query count.

    python bench/complaints.py --database-url sqlite:////tmp/c.sqlite3 --data-dir DIR \
        --sizes 10000 100000 1000000 --out r.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

from harness import peak_rss_mb, setup_django, write_result

CHUNK = 20_000
GOAL_MS = 50.0
YEAR = dt.timedelta(days=365)


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


def _categories(agency_id: int) -> tuple[list[Any], int, Any]:
    from loket.complaints.models import Category, ComplaintPolicy
    from loket.complaints.public_rows import zone_named

    policy = ComplaintPolicy.objects.select_related("agency").get(agency_id=agency_id)
    categories = list(Category.objects.filter(agency_id=agency_id).order_by("pk"))
    return categories, policy.admin_position_id, zone_named(policy.agency.time_zone)


# Tier limits in calendar days (working days x 1.4, near enough for a bench).
TIER_DAYS = {"ringan": 3, "normatif": 7, "tidak_berkadar": 20, "berkadar": 84}


def _lifecycle(rng: Any, now: dt.datetime) -> dict[str, Any]:
    """A complaint's dates and state: received at a random moment of the last two years,
    handled the way most are (old ones closed, a few stuck and overdue, recent ones in
    every state), so the overdue count and Open311's 90-day window meet real rows."""
    from loket.complaints.models import Status

    received = now - dt.timedelta(days=730 * rng.random())
    age_days = (now - received).days
    roll = rng.random()
    state: dict[str, Any] = {
        "received_at": received,
        "verify_due_at": received + dt.timedelta(days=5),
        "updated_at": received,
    }
    if age_days < 3 or roll < (0.10 if age_days < 60 else 0.003):
        return {**state, "status": Status.RECEIVED, "position": "admin"}
    tier = rng.choice(list(TIER_DAYS))
    verified = received + dt.timedelta(days=1)
    due = verified + dt.timedelta(days=TIER_DAYS[tier])
    state.update(
        tier=tier, verified_at=verified, verified_on_time=True, due_at=due, updated_at=verified
    )
    answered = verified + dt.timedelta(days=TIER_DAYS[tier] * 1.4 * rng.random())
    stuck = roll < (0.5 if age_days < 60 else 0.01)
    if stuck or answered > now:
        return {**state, "status": Status.IN_FOLLOW_UP}
    state.update(answered_at=answered, answered_on_time=answered <= due, updated_at=answered)
    close_due = answered + dt.timedelta(days=14)
    if close_due > now:
        return {**state, "status": Status.ANSWERED, "close_due_at": close_due}
    return {**state, "status": Status.CLOSED, "close_due_at": close_due, "closed_at": close_due}


def grow_to(size: int, agency_id: int) -> None:
    """Add generated complaints (no contact data) until `size` complaints exist, each
    with its own dates, state, category and pre-rendered Open311 row; then ANALYZE."""
    import random
    import uuid

    from django.db import connection
    from django.utils import timezone

    from loket.complaints import counts, public_rows
    from loket.complaints.models import Complaint

    template = Complaint.objects.order_by("-pk").first()
    assert template is not None
    have = Complaint.objects.count()
    categories, admin_position, zone = _categories(agency_id)
    skipped = {"id", "tracking_number", "token", "reporter_name", "reporter_email"}
    skipped |= {"reporter_phone", "public_json", "public_xml", "category_id", "unit_id"}
    skipped |= {"position_id", "is_anonymous", "is_confidential"}
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Complaint._meta.concrete_fields
        if f.attname not in skipped
    }
    rng = random.Random(size)  # the same database for the same sizes, run after run
    now = timezone.now()

    def make(number: int) -> Complaint:
        category = categories[number % len(categories)]
        state = _lifecycle(rng, now)
        position = admin_position if state.pop("position", "") else category.handler_position_id
        complaint = Complaint(
            **{**fields, **state},
            tracking_number=f"BEN-{number:09d}",
            token=uuid.uuid4(),
            category_id=category.pk,
            unit_id=category.unit_id,
            position_id=position,
            is_confidential=rng.random() < 0.05,
            is_anonymous=rng.random() < 0.1,
        )
        # bulk_create skips save(): render the row here, as save() would.
        public_rows.refresh(complaint, zone)
        return complaint

    while have < size:
        batch = [make(have + i) for i in range(min(CHUNK, size - have))]
        Complaint.objects.bulk_create(batch, batch_size=2000)
        # bulk_create skips save(), so the batch is added to the counters here.
        shares: dict[int, list[int]] = {}
        for complaint in batch:
            unit_id, resolved = complaint.counted_as()
            share = shares.setdefault(unit_id, [0, 0])
            share[0] += 1
            share[1] += int(resolved)
        for unit_id, (received, resolved) in shares.items():
            counts.add(unit_id, received=received, resolved_on_time=resolved)
        have += len(batch)
    with connection.cursor() as cursor:  # fresh statistics, as after a real night's load
        # On PostgreSQL autovacuum would have run too: without its visibility map an
        # index-only scan (the overdue count) visits the table after all.
        cursor.execute(
            "ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE complaints_complaint"
        )


def time_call(call: Callable[[], Any], repeats: int, warmup: int) -> dict[str, Any]:
    """p50/p95 of `repeats` calls after `warmup` untimed ones, and the queries of one.

    Before the timed loop the collector runs once and every object alive is frozen
    (gc.freeze): the big build and Django's own objects are then never walked by a
    collection a request triggers. The collector stays enabled during the loop: what a
    request's own garbage costs is part of its time.
    """
    from django.db import connection

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    for _ in range(warmup):
        call()
    with connection.execute_wrapper(count):
        call()
    gc.collect()
    gc.freeze()
    samples, cpu = [], []
    try:
        for _ in range(repeats):
            started, started_cpu = time.perf_counter(), time.thread_time()
            call()
            samples.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
    finally:
        gc.unfreeze()
    samples.sort()
    cpu.sort()

    def p95(values: list[float]) -> float:
        return round(1000 * values[min(len(values) - 1, int(len(values) * 0.95))], 2)

    # Wall-clock is the goal; the thread's CPU time says how much of a slow sample was
    # this request's own work (SQLite's included) and how much waiting for a core.
    return {
        "queries": queries,
        "p50_ms": round(1000 * statistics.median(samples), 2),
        "p95_ms": p95(samples),
        "max_ms": round(1000 * samples[-1], 2),
        "cpu_p50_ms": round(1000 * statistics.median(cpu), 2),
        "cpu_p95_ms": p95(cpu),
    }


def _deep(now: dt.datetime) -> tuple[str, str]:
    """A public complaint about a year back: its number and its list cursor."""
    from loket.complaints.models import Complaint
    from loket.complaints.selectors import Cursor

    row = (
        Complaint.objects.filter(is_confidential=False, received_at__lt=now - YEAR)
        .order_by("-received_at", "-pk")
        .first()
    )
    if row is None:  # a small run: any public complaint
        row = Complaint.objects.filter(is_confidential=False).order_by("pk").first()
    assert row is not None
    return row.tracking_number, Cursor.of(row).token()


def probes() -> dict[str, Callable[[], Any]]:
    from django.test import Client
    from django.utils import timezone

    client = Client()
    j = {"jurisdiction_id": "kotacontoh.go.id"}
    now = timezone.now()
    number, cursor = _deep(now)
    old_window = {
        **j,
        "start_date": (now - YEAR - dt.timedelta(days=90)).isoformat(timespec="seconds"),
        "end_date": (now - YEAR).isoformat(timespec="seconds"),
    }

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
        "public list, a year deep (keyset)": get("/pengaduan/", {"sebelum": cursor}),
        "public complaint page (GET /pengaduan/<n>/)": get(f"/pengaduan/{number}/"),
        "public API list (GET /api/v1/complaints)": get("/api/v1/complaints", j),
        "Open311 GET requests.json": get("/open311/v2/requests.json", j),
        "Open311 GET requests.xml": get("/open311/v2/requests.xml", j),
        "Open311 GET requests.json, 90 days a year back": get(
            "/open311/v2/requests.json", old_window
        ),
        "counts per unit, uncached": counts_uncached,
    }


def overdue_now() -> int:
    from django.utils import timezone

    from loket.complaints import counts

    return counts.overdue_count(timezone.now())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--working-set", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    setup_django(args.database_url, args.data_dir)
    agency_id = prepare()
    for number in range(args.working_set):
        file_one(agency_id, number)
    rows = []
    for size in args.sizes:
        grow_to(size, agency_id)
        filing = sorted(file_one(agency_id, size + n) for n in range(args.repeats))
        row: dict[str, Any] = {
            "complaints": size,
            "filing_p50_ms": round(1000 * statistics.median(filing), 2),
            "filing_p95_ms": round(1000 * filing[int(len(filing) * 0.95)], 2),
            "overdue": overdue_now(),
            "probes": {
                name: time_call(call, args.repeats, args.warmup) for name, call in probes().items()
            },
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
