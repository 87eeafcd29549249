"""Issuing in the worker: the officer's final approval, and approval -> signed licence.

Two figures on one prepared database (the demo service, izin-usaha-mikro):

- the final approval's p50 as the officer waits for it (`decide` on the last
  step: it commits the approval and the issue request, nothing is signed);
- the time from that commit until the signed licence is stored and recorded,
  with a real `loket worker` process running (default polling interval),
  one case at a time so the figure is the pipeline's latency, p50 and p95.

    python bench/issuing.py --database-url URL --data-dir DIR --cases 40 --out r.json
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import peak_rss_mb, setup_django, write_result

FINAL = "decide:persetujuan"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _approvals(driver: Any, first: int, count: int) -> list[float]:
    """Run `count` cases to their final approval; the final approvals' seconds."""
    for number in range(first, first + count):
        driver.run_case(number)
    return list(driver.timings[FINAL][-count:])


def _licence_latency(
    driver: Any, first: int, count: int, poll: float, patience: float = 60
) -> list[float]:
    from loket.documents.models import IssuedDocument

    latencies = []
    for number in range(first, first + count):
        driver.run_case(number)
        approved = time.perf_counter()  # the approval has committed (decide returned)
        while not IssuedDocument.objects.filter(case_id=driver.last_case_id).exists():
            if time.perf_counter() - approved > patience:
                raise RuntimeError("no licence after the approval: is the worker running?")
            time.sleep(poll)
        latencies.append(time.perf_counter() - approved)
    return latencies


def _start_worker(database_url: str, data_dir: str) -> subprocess.Popen[bytes]:
    loket = Path(sys.executable).with_name("loket")
    log = (Path(data_dir) / "bench-worker.log").open("ab")
    env = {**os.environ, "DATABASE_URL": database_url, "LOKET_DATA_DIR": data_dir}
    return subprocess.Popen(
        [str(loket), "worker", "--worker-id", "bench"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--poll", type=float, default=0.01, help="seconds between checks")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    setup_django(args.database_url, args.data_dir)
    from engine import EngineDriver

    driver = EngineDriver(claims=False)
    driver.run_case(900_000)  # warm-up: caches, the signer's key, first connection
    approvals = _approvals(driver, 900_001, args.cases)

    worker = _start_worker(args.database_url, args.data_dir)
    try:
        # Its start-up round runs every periodic job once (rollups, datasets): wait for
        # it through one licence, then measure the steady state.
        _licence_latency(driver, 909_999, 1, args.poll, patience=600)
        latencies = _licence_latency(driver, 910_000, args.cases, args.poll)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    write_result(
        args.out,
        {
            "part": "issuing",
            "cases": args.cases,
            "final_approval_ms": {
                "p50": round(statistics.median(approvals) * 1000, 2),
                "p95": round(_percentile(approvals, 0.95) * 1000, 2),
            },
            "approval_to_licence_s": {
                "p50": round(statistics.median(latencies), 3),
                "p95": round(_percentile(latencies, 0.95), 3),
                "max": round(max(latencies), 3),
            },
            "peak_rss_mb": round(peak_rss_mb(), 1),
        },
    )


if __name__ == "__main__":
    main()
