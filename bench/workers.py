"""Drive cases from one or several processes and add up what they did.

Several driver processes stand for several application workers sharing the
database, as a production server runs them. Throughput is counted over the
span from the first worker's start to the last worker's finish, after each
worker's untimed warm-up case.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

# (operation, step id) such as ("decide", "kajian-teknis"); step id "" when none.
StepKind = tuple[str, str]

Worker = Callable[..., dict[str, Any]]


def case_ranges(cases: int, workers: int) -> list[tuple[int, int]]:
    """(first case number, count) per worker; the number before `first` is its warm-up."""
    per, extra = divmod(cases, workers)
    ranges = []
    first = 2
    for index in range(workers):
        count = per + (1 if index < extra else 0)
        ranges.append((first, count))
        first += count + 1
    return ranges


def run_workers(
    worker: Worker,
    database_url: str,
    data_dir: str,
    *,
    cases: int,
    workers: int,
    extra: tuple[Any, ...] = (),
) -> dict[str, Any]:
    jobs = [
        (database_url, data_dir, first, count, *extra)
        for first, count in case_ranges(cases, workers)
    ]
    if workers == 1:
        parts = [worker(*jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            parts = pool.starmap(worker, jobs)
    return summarise(parts)


def summarise(parts: list[dict[str, Any]]) -> dict[str, Any]:
    steps = sum(p["steps"] for p in parts)
    cases = sum(p["cases"] for p in parts)
    seconds = max(p["finished"] for p in parts) - min(p["started"] for p in parts)
    summary: dict[str, Any] = {
        "workers": len(parts),
        "cases": cases,
        "steps": steps,
        "seconds": round(seconds, 3),
        "steps_per_s": round(steps / seconds, 1),
        "cases_per_s": round(cases / seconds, 1),
        "ms_per_step": round(1000 * seconds * len(parts) / steps, 3),
        "peak_rss_mb": round(max(p["peak_rss_mb"] for p in parts), 1),
        "baseline_rss_mb": round(max(p["baseline_rss_mb"] for p in parts), 1),
        "failed_cases": sum(p.get("failed_cases", 0) for p in parts),
        "first_error": next((p["first_error"] for p in parts if p.get("first_error")), ""),
    }
    for key in parts[0]:
        if key not in {
            "steps",
            "cases",
            "started",
            "finished",
            "peak_rss_mb",
            "baseline_rss_mb",
            "failed_cases",
            "first_error",
        }:
            summary[key] = parts[0][key]
    return summary
