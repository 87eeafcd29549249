"""Open data at scale: CKAN package_search and package_show with 1,000 datasets.

Datasets are copied from the demo's published ones until 1,000 exist; each action
is then timed in-process through Django's test client. Goal: p95 under 50 ms.

Then the history grows to --cases closed cases (bench/bulk.py copies a real demo
case with its tasks and events inside the database), the worker's rollup refresh
of this and last month is timed, and the monthly statistics are regenerated (the
table alone, then every dataset with publish_all) while another thread keeps
requesting package_show: the requests answered meanwhile show the web is not
blocked. Goal: under 60 s at 1,000,000 cases.

    python bench/opendata.py --database-url sqlite:////tmp/o.sqlite3 --data-dir DIR --out r.json
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from harness import setup_django, write_result

GOAL_MS = 50.0
DATASETS = 1000


def prepare() -> None:
    from django.core.management import call_command

    from loket.complaints.categories import load_dir
    from loket.demo.agency import load_demo
    from loket.opendata.models import Dataset, Resource
    from loket.opendata.services import publish_all

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    load_demo()
    load_dir()
    publish_all()
    templates = list(Dataset.objects.prefetch_related("resources"))
    number = Dataset.objects.count()
    while number < DATASETS:
        source = templates[number % len(templates)]
        copy = Dataset(
            slug=f"bench-{number:04d}-{source.kind}",
            agency=source.agency,
            kind=f"bench-{number}",
            title=f"{source.title} {number}",
            description=source.description,
            keywords=source.keywords,
            theme=source.theme,
            periodicity=source.periodicity,
            indicator=source.indicator,
        )
        copy.save()
        Resource.objects.bulk_create(
            Resource(
                dataset=copy,
                format=r.format,
                media_type=r.media_type,
                content=r.content,
                size=r.size,
                sha256=r.sha256,
                position=r.position,
            )
            for r in source.resources.all()
        )
        number += 1


def grow_cases(count: int) -> int:
    """Copy a real closed demo case (tasks and events moved with it) until `count` cases
    exist, inside the database like bench/bulk.py; returns the template's id."""
    from django.db.models import Count

    from bulk import HistoryWriter, analyze
    from loket.cases.models import Case, CaseEvent
    from loket.insights.demo import load_performance_history

    load_performance_history()
    template = (
        Case.objects.filter(outcome="approved", closed_at__isnull=False)
        .annotate(events_n=Count("events"))
        .order_by("-events_n", "-closed_at")
        .values_list("pk", flat=True)
        .first()
    )
    assert template is not None
    kinds = tuple(
        CaseEvent.objects.filter(case_id=template).values_list("kind", flat=True).distinct()
    )
    writer = HistoryWriter(template, event_kinds=kinds, shift_all=True)
    while (have := Case.objects.count()) < count:
        writer.append(min(100_000, count - have))
    analyze()
    return template


def while_regenerating(work: Any, path: str) -> tuple[float, dict[str, Any]]:
    """Run `work` while another thread keeps requesting `path`: the seconds it took, and the
    requests answered meanwhile with their latency (the web is not blocked)."""
    import threading

    from django.db import connection
    from django.test import Client

    done = threading.Event()
    samples: list[float] = []
    failures: list[int] = []

    def reader() -> None:
        client = Client()
        while not done.is_set():
            started = time.perf_counter()
            status = client.get(path).status_code
            samples.append((time.perf_counter() - started) * 1000)
            if status != 200:
                failures.append(status)
        connection.close()

    thread = threading.Thread(target=reader)
    thread.start()
    started = time.perf_counter()
    try:
        work()
    finally:
        seconds = time.perf_counter() - started
        done.set()
        thread.join()
    samples.sort()
    return seconds, {
        "path": path,
        "answered": len(samples),
        "failed": len(failures),
        "per_second": round(len(samples) / seconds, 1) if seconds else None,
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1) if samples else None,
    }


def timed(client: Any, path: str, params: dict[str, str], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
    }


def middle_slug() -> str:
    from loket.opendata.models import Dataset

    return str(Dataset.objects.order_by("slug").values_list("slug", flat=True)[DATASETS // 2])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django(args.database_url, args.data_dir)
    prepare()
    from django.test import Client

    client = Client()
    facets = '["organization", "groups", "tags", "res_format"]'
    results = {
        "datasets": DATASETS,
        "goal_p95_ms": GOAL_MS,
        "package_search": timed(
            client,
            "/api/3/action/package_search",
            {"q": "pengaduan", "fq": "res_format:CSV", "facet.field": facets, "rows": "10"},
            args.runs,
        ),
        "package_show": timed(
            client, "/api/3/action/package_show", {"id": middle_slug()}, args.runs
        ),
    }
    grow_cases(args.cases)
    from loket.cases.models import Case
    from loket.insights import services as insights
    from loket.insights.models import MonthlyRollup
    from loket.opendata.builders import ServiceStatistics
    from loket.opendata.services import publish_all
    from loket.org.models import Agency

    agency = Agency.objects.order_by("pk").first()
    assert agency is not None
    # The worker's 15-minute cycle keeps this and last month's rollup (ADR 0011, 0024);
    # the statistics read the rollup, so their cost is (services x months) rows.
    show = "/api/3/action/package_show?id=" + middle_slug()
    refresh_s, web_refresh = while_regenerating(insights.refresh_recent, show)
    started = time.perf_counter()
    rows = len(ServiceStatistics(agency=agency).table().rows)
    table_s = time.perf_counter() - started
    publish_s, web = while_regenerating(
        publish_all, "/api/3/action/package_show?id=" + middle_slug()
    )
    results["monthly_statistics"] = {
        "cases": Case.objects.count(),
        "rows": rows,
        "rollup_rows": MonthlyRollup.objects.count(),
        "seconds": round(table_s, 2),
        "publish_all_s": round(publish_s, 1),
        "worker_refresh_recent_s": round(refresh_s, 1),
        "web_during_publish": web,
        "web_during_worker_refresh": web_refresh,
        "goal_seconds": 60,
    }
    write_result(args.out, results)
    print(results)


if __name__ == "__main__":
    main()
