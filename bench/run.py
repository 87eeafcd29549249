"""Run every Loket benchmark in one go and rewrite docs/benchmarks.md.

    make bench                       # everything, about an hour on 2 cores
    .venv/bin/python bench/run.py --quick   # a smaller run to try the harness
    .venv/bin/python bench/run.py --parts engine web --merge docs/benchmarks.json
                                     # rerun some parts, keep the others' last results
    .venv/bin/python bench/report.py # rewrite the report from docs/benchmarks.json only

One run, side by side, because shared machines are noisy: for each database
(SQLite file in WAL mode; a private PostgreSQL with durable settings) the raw
commit rate, the Loket engine and the SpiffWorkflow peer run one after the
other; then the growth test (history up to 1 M cases) and the web load test
against gunicorn. Every part is a separate process (bench/<part>.py); the raw
results go to docs/benchmarks.json beside the report, so that a later run of
some parts can `--merge` the rest from a clean clone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from harness import PG_SETTINGS, REPO_DIR, Database, PostgresServer, machine, run_part

ENGINE_TARGET = 1000.0  # persisted steps per second
PARTS = ["engine", "issuing", "growth", "web", "surveys", "complaints", "opendata", "insights"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases per engine run")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="driver processes per engine run"
    )
    parser.add_argument(
        "--engine-seconds",
        type=float,
        default=30.0,
        help="time budget of one engine run: a slower engine drives fewer cases",
    )
    parser.add_argument("--limit-seconds", type=float, default=4.0)
    parser.add_argument("--growth-sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--growth-backends",
        nargs="+",
        default=["sqlite", "postgresql"],
        choices=["sqlite", "postgresql"],
    )
    parser.add_argument("--web-backend", default="postgresql", choices=["sqlite", "postgresql"])
    parser.add_argument("--web-users", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--web-seconds", type=float, default=8.0)
    parser.add_argument("--web-workers", type=int, default=(os.cpu_count() or 2) * 2)
    parser.add_argument("--web-threads", type=int, default=2)
    parser.add_argument("--profile-cases", type=int, default=15)
    parser.add_argument(
        "--parts",
        nargs="+",
        default=PARTS,
        choices=PARTS,
    )
    parser.add_argument(
        "--complaint-sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000]
    )
    parser.add_argument("--opendata-cases", type=int, default=1_000_000)
    parser.add_argument(
        "--insights-sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000]
    )
    parser.add_argument("--survey-responses", type=int, default=100_000)
    parser.add_argument("--issuing-cases", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="small sizes, to try the harness")
    parser.add_argument("--output", default=str(REPO_DIR / "docs" / "benchmarks.md"))
    parser.add_argument("--results", default=str(REPO_DIR / "docs" / "benchmarks.json"))
    parser.add_argument(
        "--merge",
        metavar="RESULTS",
        help="an earlier results file (docs/benchmarks.json): the parts this run does not "
        "measure are taken from it, and the report says which run measured which part",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.cases = min(args.cases, 100)
        args.engine_seconds = min(args.engine_seconds, 15)
        args.limit_seconds = 2.0
        args.growth_sizes = [1_000, 10_000]
        args.web_users = [10]
        args.web_seconds = 3.0
        args.profile_cases = 5
        args.survey_responses = 10_000
        args.complaint_sizes = [1_000, 10_000]
        args.opendata_cases = 10_000
        args.insights_sizes = [2_000, 10_000]
    return args


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def prepare(backend: str, root: Path, server: PostgresServer | None) -> Database:
    data_dir = root / backend
    data_dir.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        template = data_dir / "template.sqlite3"
        db = Database(
            "sqlite",
            data_dir,
            template=str(template),
            settings_note="file in a temporary directory, WAL, synchronous=NORMAL",
        )
        url = f"sqlite:///{template}"
    else:
        assert server is not None
        server.sql('CREATE DATABASE "loket_template"')
        db = Database(
            "postgresql",
            data_dir,
            server=server,
            template="loket_template",
            settings_note=", ".join(f"{k}={v}" for k, v in PG_SETTINGS.items()),
        )
        url = server.url("loket_template")
    result = run_part(
        "prepare.py", ["--database-url", url, "--data-dir", str(data_dir)], timeout=600
    )
    if "error" in result:
        raise RuntimeError(result["error"])
    log(f"{backend}: migrated and loaded the demo in {result['seconds']} s")
    return db


def engine_round(db: Database, args: argparse.Namespace) -> dict[str, Any]:
    """Loket, the raw commit rate and SpiffWorkflow on one database, back to back."""
    out: dict[str, Any] = {"loket": [], "spiff": [], "limit": []}
    common = [
        "--data-dir",
        str(db.data_dir),
        "--cases",
        str(args.cases),
        "--max-seconds",
        str(args.engine_seconds),
    ]
    budget = args.engine_seconds * 3 + 600
    for workers in args.workers:
        loket = run_part(
            "engine.py",
            ["--database-url", db.fresh(f"engine_{workers}"), *common, "--workers", str(workers)],
            timeout=budget,
        )
        out["loket"].append(loket)
        log(
            f"{db.backend}: Loket, {workers} worker(s): "
            f"{loket.get('steps_per_s', loket.get('error'))} steps/s"
        )
        sequence = loket.get(
            "step_sequence",
            "submit,decide:verifikasi-berkas,decide:kajian-teknis,decide:persetujuan",
        )
        spiff = run_part(
            "peer_spiff.py",
            [
                "--database-url",
                db.fresh(f"spiff_{workers}"),
                *common,
                "--workers",
                str(workers),
                "--steps",
                sequence,
            ],
            timeout=budget,
        )
        out["spiff"].append(spiff)
        log(
            f"{db.backend}: SpiffWorkflow, {workers} worker(s): "
            f"{spiff.get('steps_per_s', spiff.get('error'))} steps/s"
        )
        writes = loket.get("writes", {})
        inserts = max(1, round(writes.get("inserts_per_op", 10)))
        # A deleted row (the fold's dequeue) is a row write like an updated one.
        updates = round(writes.get("updates_per_op", 4) + writes.get("deletes_per_op", 0))
        limit = run_part(
            "limit.py",
            [
                "--database-url",
                db.empty_url(f"limit_{workers}"),
                "--inserts",
                str(inserts),
                "--updates",
                str(updates),
                "--seconds",
                str(args.limit_seconds),
                "--workers",
                str(workers),
            ],
            timeout=120,
        )
        out["limit"].append(limit)
        log(
            f"{db.backend}: raw commits, {workers} worker(s): "
            f"{limit.get('runs', [{}])[0].get('tx_per_s')} tx/s"
        )
    best = max((r.get("steps_per_s", 0) for r in out["loket"]), default=0)
    if best < ENGINE_TARGET:
        out["profile"] = profile(db, args)
    return out


def issuing_round(db: Database, args: argparse.Namespace) -> dict[str, Any]:
    """The officer's final approval, approval -> licence with a worker, the serial points."""
    common = ["--data-dir", str(db.data_dir)]
    out = {
        "issuing": run_part(
            "issuing.py",
            ["--database-url", db.fresh("issuing"), *common, "--cases", str(args.issuing_cases)],
            timeout=1800,
        ),
        "serial": run_part(
            "serial_points.py", ["--database-url", db.fresh("serial"), *common], timeout=600
        ),
    }
    log(f"{db.backend}: issuing {out['issuing']}, serial points {out['serial']}")
    return out


def profile(db: Database, args: argparse.Namespace) -> dict[str, Any]:
    """The engine missed its target: record where a single worker spends its time."""
    report = REPO_DIR / "var" / "bench" / f"engine-profile-{db.backend}.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    result = run_part(
        "engine.py",
        [
            "--database-url",
            db.fresh("profile"),
            "--data-dir",
            str(db.data_dir),
            "--cases",
            str(args.profile_cases),
            "--profile",
            str(report),
        ],
        timeout=900,
    )
    log(f"{db.backend}: profiled {args.profile_cases} cases -> {report}")
    return result


class LoadSampler:
    """The machine's 1-minute load average every few seconds while a run goes.

    Shared machines are noisy: the report says how busy this one was, so a reader can tell a
    quiet run from one measured beside other work (ratios inside a part stay side by side).
    """

    def __init__(self, every_s: float = 5.0) -> None:
        self.every_s = every_s
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-sampler", daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self.every_s):
                return

    def start(self) -> LoadSampler:
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return summarise_load(self.samples)


def summarise_load(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {}
    return {"mean": round(sum(samples) / len(samples), 2), "max": round(max(samples), 2)}


def main(argv: list[str] | None = None) -> None:  # noqa: PLR0912, PLR0915  (one branch per part)
    args = parse_args(argv)
    started = time.perf_counter()
    load = LoadSampler().start()
    root = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    results: dict[str, Any] = {
        "machine": machine(),
        "args": vars(args),
        "command": " ".join(sys.argv),
    }
    earlier = json.loads(Path(args.merge).read_text()) if args.merge else None
    server = PostgresServer().start()
    results["machine"]["postgresql"] = server.version
    log(f"PostgreSQL {server.version} on 127.0.0.1:{server.port} (durable settings)")
    try:
        databases = {b: prepare(b, root, server) for b in ("sqlite", "postgresql")}
        results["databases"] = {b: d.settings_note for b, d in databases.items()}
        if "engine" in args.parts:
            results["engine"] = {b: engine_round(d, args) for b, d in databases.items()}
        if "issuing" in args.parts:
            results["issuing"] = {b: issuing_round(d, args) for b, d in databases.items()}
        if "growth" in args.parts:
            results["growth"] = {}
            for backend in args.growth_backends:
                db = databases[backend]
                results["growth"][backend] = run_part(
                    "growth.py",
                    [
                        "--database-url",
                        db.fresh("growth"),
                        "--data-dir",
                        str(db.data_dir),
                        "--sizes",
                        *map(str, args.growth_sizes),
                    ],
                    timeout=3600,
                )
                log(f"{backend}: growth done ({results['growth'][backend].get('error', 'ok')})")
        if "surveys" in args.parts:
            results["surveys"] = {}
            for backend, db in databases.items():
                results["surveys"][backend] = run_part(
                    "surveys.py",
                    [
                        "--database-url",
                        db.fresh("surveys"),
                        "--data-dir",
                        str(db.data_dir),
                        "--responses",
                        str(args.survey_responses),
                    ],
                    timeout=900,
                )
                log(f"{backend}: surveys {results['surveys'][backend]}")
        if "complaints" in args.parts:
            results["complaints"] = {}
            for backend, db in databases.items():
                results["complaints"][backend] = run_part(
                    "complaints.py",
                    ["--database-url", db.fresh("complaints"), "--data-dir", str(db.data_dir),
                     "--sizes", *map(str, args.complaint_sizes)],
                    timeout=5400,
                )  # fmt: skip
                log(f"{backend}: complaints {results['complaints'][backend].get('error', 'ok')}")
        if "opendata" in args.parts:
            results["opendata"] = {}
            for backend, db in databases.items():
                results["opendata"][backend] = run_part(
                    "opendata.py",
                    ["--database-url", db.fresh("opendata"), "--data-dir", str(db.data_dir),
                     "--cases", str(args.opendata_cases)],
                    timeout=3600,
                )  # fmt: skip
                log(f"{backend}: opendata {results['opendata'][backend].get('error', 'ok')}")
        if "insights" in args.parts:
            # SQLite only: the bulk history copy at 1 M cases takes most of the run.
            db = databases["sqlite"]
            results["insights"] = {
                "sqlite": run_part(
                    "insights.py",
                    ["--database-url", db.fresh("insights"), "--data-dir", str(db.data_dir),
                     "--sizes", *map(str, args.insights_sizes)],
                    timeout=5400,
                )
            }  # fmt: skip
            log(f"sqlite: insights {results['insights']['sqlite'].get('error', 'ok')}")
        if "web" in args.parts:
            from web import measure

            db = databases[args.web_backend]
            workdir = root / "web"
            workdir.mkdir()
            try:
                results["web"] = {
                    "backend": args.web_backend,
                    **measure(
                        db.fresh("web"),
                        str(db.data_dir),
                        users=args.web_users,
                        seconds=args.web_seconds,
                        workers=args.web_workers,
                        threads=args.web_threads,
                        open_cases=50,
                        workdir=workdir,
                    ),
                }
            except (RuntimeError, OSError) as exc:
                results["web"] = {"error": str(exc)}
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["load"] = load.stop()
    results["runs"] = [_run_record(results, args.parts)]
    if earlier is not None:
        merge(results, earlier)
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(json.dumps(results, indent=2, default=str))
    from report import render

    Path(args.output).write_text(render(results))
    log(f"done in {results['total_s']} s: {args.output}, raw results in {args.results}")


def _run_record(results: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    return {
        "parts": [p for p in PARTS if p in parts],
        "date": results["machine"].get("date"),
        "commit": results["machine"].get("commit"),
        "command": results["command"],
        "total_s": results["total_s"],
        "load": results.get("load", {}),
    }


def merge(results: dict[str, Any], earlier: dict[str, Any]) -> None:
    """Take from `earlier` every part this run did not measure, naming the run it came from.

    Each part's comparisons (Loket beside SpiffWorkflow and the raw driver, tracking beside
    the bare view) are made inside one run, so joining parts from two runs keeps every ratio
    side by side; only absolute numbers of different parts may then come from different hours.
    """
    measured = set(results["runs"][0]["parts"])
    runs = earlier.get("runs") or [
        _run_record(earlier, list(earlier.get("args", {}).get("parts", [])))
    ]
    kept: set[str] = set()
    for part in PARTS:
        if part not in measured and part in earlier:
            results[part] = earlier[part]
            kept.add(part)
    for run in runs:
        parts = [p for p in run["parts"] if p in kept]
        if parts:
            results["runs"].append({**run, "parts": parts})


if __name__ == "__main__":
    main()
