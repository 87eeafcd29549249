"""Web load: the production server on loopback under Locust at 10, 50 and 100 users.

`python bench/web.py setup --database-url URL --data-dir DIR --out plan.json`
creates open cases through the engine and writes the plan the Locust users
read. `measure()` (called by bench/run.py) starts `loket serve` (gunicorn,
DEBUG off, production settings except the HTTPS redirect: TLS ends at the
proxy in front), runs Locust headless for each scenario and number of users,
and stops the server.
"""

from __future__ import annotations

import argparse
import base64
import csv
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from harness import BENCH_DIR, PYTHON, free_port, setup_django, write_result

# "bare" is a view that does nothing, served by the same workers: the yardstick for tracking.
SCENARIOS = ("tracking", "bare", "services", "submit")


def setup(database_url: str, data_dir: str, open_cases: int, out: str) -> None:
    setup_django(database_url, data_dir)
    from engine import DATA, EngineDriver

    driver = EngineDriver(claims=False)
    receipts = []
    for number in range(1, open_cases + 1):
        submission = driver.submit(500_000 + number)
        receipts.append([submission.case.tracking_number, submission.access_code])
    write_result(
        out,
        {
            "receipts": receipts,
            "data": DATA,
            "png_base64": base64.b64encode(driver.png).decode(),
        },
    )


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not answer /healthz within a minute")


def _locust(
    url: str, scenario: str, users: int, seconds: float, plan: str, workdir: Path
) -> dict[str, Any]:
    prefix = workdir / f"{scenario}-{users}"
    env = {**os.environ, "BENCH_SCENARIO": scenario, "BENCH_PLAN": plan}
    proc = subprocess.run(
        [
            PYTHON,
            "-m",
            "locust",
            "-f",
            str(BENCH_DIR / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{round(seconds)}s",
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--reset-stats",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "5",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no statistics: {proc.stderr[-1500:]}")
    rows = list(csv.DictReader(stats.open()))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests = int(total["Request Count"])
    failures = int(total["Failure Count"])
    result = {
        "scenario": scenario,
        "users": users,
        "requests": requests,
        "errors": failures,
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"] or 0),
        "p99_ms": float(total["99%"] or 0),
    }
    if "CPU usage above" in proc.stderr:
        result["note"] = "load generator CPU above 90%"
    if failures:
        failures_csv = list(csv.DictReader(open(f"{prefix}_failures.csv")))  # noqa: SIM115
        result["failure_sample"] = failures_csv[0].get("Error", "")[:200] if failures_csv else ""
    return result


def _tracking_vs_bare(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Tracking requests/s over the bare view's at each user count (same server, same
    run); the headline is the one at the most users, where both saturate the workers."""
    rps = {(r["scenario"], r["users"]): r["rps"] for r in runs}
    ratios = {
        users: round(rps[("tracking", users)] / rps[("bare", users)], 3)
        for (scenario, users) in rps
        if scenario == "tracking" and rps.get(("bare", users))
    }
    if not ratios:
        return {}
    return {"tracking_vs_bare": ratios[max(ratios)], "tracking_vs_bare_by_users": ratios}


def measure(
    database_url: str,
    data_dir: str,
    *,
    users: list[int],
    seconds: float,
    workers: int,
    threads: int,
    open_cases: int,
    workdir: Path,
) -> dict[str, Any]:
    """Serve the database with gunicorn and load it with Locust; returns the table rows."""
    plan = str(workdir / "plan.json")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOKET_DATA_DIR": data_dir,
        # The real settings plus the bare view (bench/bare_settings.py).
        "DJANGO_SETTINGS_MODULE": "bare_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH_DIR), os.environ.get("PYTHONPATH")])),
        "LOKET_PRODUCTION": "1",
        "LOKET_SSL_REDIRECT": "0",
        "LOKET_DEBUG": "0",
        "LOKET_LOG_LEVEL": "WARNING",
        # Every simulated user comes from loopback: the per-address brakes on abuse
        # would measure themselves, not the server.
        "LOKET_SUBMISSIONS_PER_ADDRESS": "1000000000",
        "LOKET_SUBMISSIONS_PER_EMAIL": "1000000000",
        "LOKET_SUBMISSIONS_PER_PHONE": "1000000000",
        "LOKET_SMS_PER_PHONE": "1000000000",
    }
    setup_run = subprocess.run(
        [
            PYTHON,
            str(BENCH_DIR / "web.py"),
            "setup",
            "--database-url",
            database_url,
            "--data-dir",
            data_dir,
            "--open-cases",
            str(open_cases),
            "--out",
            plan,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if setup_run.returncode != 0:
        raise RuntimeError(f"web setup failed: {setup_run.stderr[-2000:]}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "loket.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,  # the access log: one line per request
        stderr=open(workdir / "server.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    try:
        _wait_healthy(url, server)
        # Every worker loads its caches (compiled definitions, titles, connections) before
        # anything is recorded; then each user count runs every scenario back to back, so
        # tracking and the bare view it is compared with see the same background load.
        _locust(url, "tracking", max(users), 3, plan, workdir)
        runs = []
        for count in users:
            for scenario in SCENARIOS:
                runs.append(_locust(url, scenario, count, seconds, plan, workdir))
                print(f"web: {scenario} at {count} users: {runs[-1]['rps']} req/s", flush=True)
        return {
            "server": f"gunicorn, {workers} workers x {threads} threads",
            "runs": runs,
            **_tracking_vs_bare(runs),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["setup"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--open-cases", type=int, default=50)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    setup(args.database_url, args.data_dir, args.open_cases, args.out)


if __name__ == "__main__":
    main()
