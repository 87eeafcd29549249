"""Open data at scale: CKAN package_search and package_show with 1,000 datasets.

Datasets are copied from the demo's published ones until 1,000 exist; each action
is then timed in-process through Django's test client. Goal: p95 under 50 ms.

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


def grow_cases(count: int) -> None:
    """Bulk-insert `count` decided cases spread over a year, without real personal data."""
    import datetime as dt
    import random

    from django.utils import timezone

    from loket.cases.models import Case
    from loket.catalog.models import ServiceVersion

    version = ServiceVersion.objects.select_related("service").order_by("pk").first()
    assert version is not None
    rng = random.Random(16)
    origin = timezone.make_aware(dt.datetime(2025, 1, 1, 8))
    batch = []
    for number in range(count):
        submitted = origin + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        closed = submitted + dt.timedelta(minutes=rng.randrange(20 * 24 * 60))
        batch.append(
            Case(
                tracking_number=f"BENCH-{number:08d}",
                access_code_hash="-",
                service=version.service,
                service_version=version,
                agency=version.service.agency,
                applicant_name="-",
                applicant_nik_hash="-",
                status="approved",
                outcome="approved",
                submitted_at=submitted,
                complete_at=submitted,
                closed_at=closed,
                due_at=submitted + dt.timedelta(days=7),
            )
        )
        if len(batch) == 20_000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)


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
    from loket.opendata.builders import ServiceStatistics
    from loket.org.models import Agency

    agency = Agency.objects.order_by("pk").first()
    assert agency is not None
    started = time.perf_counter()
    rows = len(ServiceStatistics(agency=agency).table().rows)
    results["monthly_statistics"] = {
        "cases": args.cases,
        "rows": rows,
        "seconds": round(time.perf_counter() - started, 1),
        "goal_seconds": 60,
    }
    write_result(args.out, results)
    print(results)


if __name__ == "__main__":
    main()
