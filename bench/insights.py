"""Insights at scale: the head's dashboard and the public Kinerja page from 10 k to 1 M cases.

The demo agency and its year of history are driven through the real engine;
one of its closed cases (returned once, then approved) is the template that
bench/bulk.py copies inside the database until the history holds 10 k, 100 k
and 1 M cases over three years (about 2.7 % of them in any one month). At
each size the worker's refresh of one month (the rollup, the bottlenecks per
step and the anomaly flags, ADR 0011 and 0024) is timed, then both pages are
timed in-process through Django's test client for that month, with their SQL
statements counted. Goal (issue 15): p95 under 300 ms, the same query count
at every size.

    python bench/insights.py --database-url URL --data-dir DIR \
        --sizes 10000 100000 1000000 --out r.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from harness import peak_rss_mb, setup_django, write_result

CHUNK = 100_000
GOAL_MS = 300.0


def prepare() -> tuple[int, dt.date]:
    """Migrate, load the demo and its history; return the template case and the month read."""
    from django.core.management import call_command
    from django.db.models import Count

    from loket.cases.models import Case
    from loket.demo.agency import load_demo
    from loket.insights.demo import load_performance_history
    from loket.insights.services import month_of, previous_month

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    load_demo()
    load_performance_history()
    # The richest closed case: a return and a resubmission before its approval.
    template = (
        Case.objects.filter(outcome="approved", closed_at__isnull=False)
        .annotate(events_n=Count("events"))
        .order_by("-events_n", "-closed_at")
        .first()
    )
    assert template is not None and template.closed_at is not None
    # Copies are moved back 7x mod 1095 days: the month before the template's is full.
    return template.pk, previous_month(month_of(template.closed_at))


def refresh_month(month: dt.date) -> float:
    """The worker's refresh of one month for every service and unit, in seconds."""
    from loket.catalog.models import Service
    from loket.insights import services
    from loket.org.models import Unit

    started = time.perf_counter()
    for service in Service.objects.all():
        services.refresh_rollup(service=service, month=month)
    for unit in Unit.objects.filter(services__isnull=False).distinct():
        services.refresh_unit_rollup(unit=unit, month=month)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    setup_django(args.database_url, args.data_dir)
    from bulk import HistoryWriter, analyze
    from growth import performance_probes, time_probe
    from loket.cases.models import Case, CaseEvent

    started = time.perf_counter()
    template, month = prepare()
    setup_s = time.perf_counter() - started
    kinds = tuple(
        CaseEvent.objects.filter(case_id=template).values_list("kind", flat=True).distinct()
    )
    writer = HistoryWriter(template, event_kinds=kinds, shift_all=True)
    query = f"?bulan={month:%Y-%m}"
    probes = performance_probes(query)
    sizes = []
    for size in sorted(args.sizes):
        started = time.perf_counter()
        while (have := Case.objects.count()) < size:
            writer.append(min(CHUNK, size - have))
        load_s = time.perf_counter() - started
        analyze()
        month_cases = Case.objects.filter(
            closed_at__gte=_start(month), closed_at__lt=_start(_next(month))
        ).count()
        refresh_s = refresh_month(month)
        row: dict[str, Any] = {
            "cases": Case.objects.count(),
            "cases_closed_in_month": month_cases,
            "load_s": round(load_s, 1),
            "refresh_month_s": round(refresh_s, 1),
            "probes": {p.name: time_probe(p, args.repeats) for p in probes},
        }
        sizes.append(row)
        print(f"insights: {row}", flush=True)
    write_result(
        args.out,
        {
            "part": "insights",
            "month": f"{month:%Y-%m}",
            "goal_p95_ms": GOAL_MS,
            "setup_s": round(setup_s, 1),
            "sizes": sizes,
            "peak_rss_mb": round(peak_rss_mb(), 1),
        },
    )


def _start(month: dt.date) -> dt.datetime:
    from loket.insights.selectors import month_period

    return month_period(month).start


def _next(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


if __name__ == "__main__":
    main()
