"""Engine throughput: drive cases of the demo service through Loket's operations.

No HTTP: each case is submitted with its two required uploads
(`loket.cases.services.submit`, which also runs the automatic check), then
the three officer tasks are decided by officers holding the positions
(`decide`; the last approval issues the signed licence). Each operation is
the engine's full transaction: authority, validation, event, state, next
tasks, queued ledger entry, outbox. With --claims every task is claimed first,
as an officer does in the workspace. A folding process runs beside the drivers
as `loket worker` does (ADR 0022), and the time it needs after the last step
to fold what is left counts in the run, so steps/s are steps in the ledger.

    python bench/engine.py --database-url URL --data-dir DIR --cases 2000 --out r.json
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from harness import peak_rss_mb, setup_django, write_result
from workers import StepKind, run_workers

SERVICE = "izin-usaha-mikro"
# (task step, demo officer holding its position); the analyst and the head
# differ, as the service's segregation of duties requires.
DECIDERS = [
    ("verifikasi-berkas", "andi"),
    ("kajian-teknis", "siti"),
    ("persetujuan", "dewi"),
]
DATA = {
    "nama_usaha": "Warung Makan Sederhana",
    "bidang_usaha": "kuliner",
    "alamat_usaha": "Jl. Merdeka No. 10, Kota Contoh",
    "modal_usaha": 25_000_000,
    "hasil_penjualan_tahunan": 150_000_000,
}


def step_sequence(claims: bool) -> list[StepKind]:
    """The persisted operations of one case, in order."""
    steps: list[StepKind] = [("submit", "")]
    for step, _officer in DECIDERS:
        if claims:
            steps.append(("claim", step))
        steps.append(("decide", step))
    return steps


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 180, 150)).save(buf, "PNG")
    return buf.getvalue()


def _nik(number: int) -> str:
    """A valid NIK (Kota Bandung region, born 15-01-1990) with a distinct serial."""
    return f"327301150190{number % 9999 + 1:04d}"


class EngineDriver:
    def __init__(self, claims: bool) -> None:
        from loket.org.models import Officer

        self.claims = claims
        self.officers = {
            o.user.username: o
            for o in Officer.objects.select_related("user").filter(
                user__username__in=[who for _step, who in DECIDERS]
            )
        }
        self.png = _png()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.last_case_id = 0

    def _timed(self, name: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = call()
        self.timings[name].append(time.perf_counter() - started)
        return result

    def submit(self, number: int, now: Any = None) -> Any:
        """Submit case `number` with its two uploads; returns the Submission."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from loket.cases import services
        from loket.cases.intake import Applicant

        return self._timed(
            "submit",
            lambda: services.submit(
                service_code=SERVICE,
                applicant=Applicant(
                    name=f"Pemohon Bench {number}",
                    nik=_nik(number),
                    email=f"pemohon{number}@example.com",
                ),
                data=DATA,
                documents={
                    "ktp": SimpleUploadedFile("ktp.png", self.png, "image/png"),
                    "foto_lokasi": SimpleUploadedFile("lokasi.png", self.png, "image/png"),
                },
                now=now,
            ),
        )

    def _open_task(self, case_id: int, step: str) -> int:
        from django.db import connection

        from loket.cases.models import Task, TaskStatus

        if not hasattr(self, "_task_sql"):
            quote = connection.ops.quote_name
            self._task_sql = (
                f"SELECT id FROM {quote(Task._meta.db_table)} "
                "WHERE case_id = %s AND step_id = %s AND status = %s"
            )
        with connection.cursor() as cursor:
            cursor.execute(self._task_sql, [case_id, step, TaskStatus.OPEN.value])
            return int(cursor.fetchone()[0])

    def run_case(self, number: int) -> int:
        """Submit case `number` and approve its three tasks; returns the operations run."""
        from loket.cases import services

        case = self.submit(number).case
        self.last_case_id = case.pk
        operations = 1
        for step, who in DECIDERS:
            officer = self.officers[who]
            # The officer's queue gives the task id; here it is looked up directly, with
            # a plain statement so that the driver's own cost stays out of the engine's.
            task_id = self._open_task(case.pk, step)
            if self.claims:
                self._timed(
                    "claim", lambda t=task_id, o=officer: services.claim_task(task_id=t, officer=o)
                )
                operations += 1
            self._timed(
                f"decide:{step}",
                lambda t=task_id, o=officer: services.decide(
                    task_id=t, officer=o, decision="approve", reason="Lengkap dan benar."
                ),
            )
            operations += 1
        return operations


class WriteCounter:
    """Counts statements and row writes per operation (installed only when counting)."""

    def __init__(self) -> None:
        self.queries = 0
        self.inserts = 0
        self.updates = 0
        self.deletes = 0
        self.queued = 0  # ledger entries queued for the worker's fold

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if verb in {"SAVEPOINT", "RELEASE", "ROLLBACK"}:
            return result
        self.queries += 1
        rows = max(context["cursor"].rowcount, 1)
        if verb == "INSERT":
            self.inserts += rows
            if '"ledger_pendingentry"' in sql:
                self.queued += rows
        elif verb == "UPDATE":
            self.updates += rows
        elif verb == "DELETE":
            self.deletes += rows
        return result


def count_writes(driver: EngineDriver, number: int) -> dict[str, Any]:
    """Run one more case with every statement counted (not timed). The write set of a
    step includes its share of the worker's fold: per queued ledger entry, its entry
    row, one subtree-hash row (on average) and the deletion of the queued row."""
    from django.db import connection

    counter = WriteCounter()
    with connection.execute_wrapper(counter):
        operations = driver.run_case(number)
    counter.inserts += 2 * counter.queued
    counter.deletes += counter.queued
    return {
        "operations": operations,
        "queued_ledger_entries_per_op": round(counter.queued / operations, 2),
        "queries_per_op": round(counter.queries / operations, 2),
        "inserts_per_op": round(counter.inserts / operations, 2),
        "updates_per_op": round(counter.updates / operations, 2),
        "deletes_per_op": round(counter.deletes / operations, 2),
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "n": len(ordered),
        "mean_ms": round(1000 * statistics.fmean(ordered), 2),
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p99_ms": round(1000 * p99, 2),
    }


FOLD_INTERVAL_S = 1.0  # as `loket worker`: one round a second


def folder(database_url: str, data_dir: str, stop: Any, report: Any) -> None:
    """Fold queued ledger entries as the worker does until `stop`, then fold what is
    left and report how long that took after `stop` (the tail the run must count)."""
    setup_django(database_url, data_dir)
    from loket.core.checkpoint import checkpoint
    from loket.ledger.services import fold_pending

    folded = 0
    while not stop.wait(FOLD_INTERVAL_S):
        folded += fold_pending()
        checkpoint()  # as the worker's round does (core.management.commands.worker)
    started = time.perf_counter()
    folded += fold_pending()
    report.put({"folded": folded, "tail_s": time.perf_counter() - started})


def worker(
    database_url: str, data_dir: str, first: int, count: int, claims: bool, max_seconds: float
) -> dict[str, Any]:
    setup_django(database_url, data_dir)
    driver = EngineDriver(claims)
    failed, first_error = 0, ""

    def attempt(number: int) -> int:
        """Run one case; a failed operation is a result to report, not a crash."""
        nonlocal failed, first_error
        try:
            return driver.run_case(number)
        except Exception as exc:
            failed += 1
            first_error = first_error or f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            return 0

    attempt(first - 1)  # warm-up: imports, caches, signing key; not timed
    driver.timings.clear()
    failed, first_error = 0, ""
    baseline = peak_rss_mb()
    started = time.time()
    operations, cases = 0, 0
    for number in range(first, first + count):
        if time.time() - started > max_seconds:
            break  # the time budget is spent: report what was done
        done = attempt(number)
        operations += done
        cases += 1 if done else 0
    finished = time.time()
    peak = peak_rss_mb()
    per_operation = {name: _percentiles(v) for name, v in sorted(driver.timings.items())}
    writes: dict[str, Any] = {}
    for retry in range(3):  # counted alone; another worker may still be running
        try:
            writes = count_writes(driver, 10_000_000 + first + retry)
            break
        except Exception as exc:
            writes = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
    return {
        "cases": cases,
        "failed_cases": failed,
        "first_error": first_error,
        "steps": operations,
        "started": started,
        "finished": finished,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        "per_operation": per_operation,
        "writes": writes,
    }


def profile(
    database_url: str, data_dir: str, cases: int, claims: bool, output: str
) -> dict[str, Any]:
    """Profile `cases` cases with pyinstrument; write the text report to `output`.

    Returns the share of time by area (library, or Loket app), built-in
    (C) calls named, so the report can say what dominates.
    """
    from pyinstrument import Profiler

    setup_django(database_url, data_dir)
    driver = EngineDriver(claims)
    driver.run_case(1)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for number in range(2, cases + 2):
        driver.run_case(number)
    session = profiler.stop()
    with open(output, "w") as handle:
        handle.write(profiler.output_text(unicode=True, color=False, show_all=False))
    root = session.root_frame()
    areas: dict[str, float] = defaultdict(float)
    if root is not None:
        _attribute(root, "bench", areas)
    total = sum(areas.values()) or 1.0
    top = sorted(areas.items(), key=lambda item: -item[1])[:12]
    return {
        "cases": cases,
        "seconds": round(session.duration, 2),
        "cpu_seconds": round(session.cpu_time, 2),
        "areas": [{"area": name, "share": round(t / total, 3)} for name, t in top],
    }


def _area(frame: Any, parent_area: str) -> str:
    path = frame.file_path or ""
    if not path or path.startswith("<"):
        return f"{parent_area}: {frame.function} (C)"
    if "site-packages/" in path:
        package = path.split("site-packages/", 1)[1].split("/", 1)[0]
        if package == "django" and "/django/db/" in path:
            return "django.db (ORM, SQL compiler)"
        return package.removesuffix(".py")
    if "/loket/" in path:
        return "loket." + path.split("/loket/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/bench/" in path:
        return "bench driver"
    return "python stdlib"


def _attribute(frame: Any, parent_area: str, areas: dict[str, float]) -> None:
    area = _area(frame, parent_area) if not frame.is_synthetic else parent_area
    if not frame.is_synthetic:
        areas[area] += frame.total_self_time
    for child in frame.children:
        _attribute(child, area, areas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a migrated database with the demo")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--claims", action="store_true", help="claim each task before deciding")
    parser.add_argument(
        "--max-seconds", type=float, default=600.0, help="stop starting new cases after this"
    )
    parser.add_argument("--profile", metavar="FILE", help="profile instead of measuring")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    if args.profile:
        found = profile(args.database_url, args.data_dir, args.cases, args.claims, args.profile)
        write_result(args.out, {"part": "engine-profile", "report": args.profile, **found})
        return
    context = multiprocessing.get_context("spawn")
    stop, report = context.Event(), context.Queue()
    folding = context.Process(target=folder, args=(args.database_url, args.data_dir, stop, report))
    folding.start()
    try:
        result = run_workers(
            worker,
            args.database_url,
            args.data_dir,
            cases=args.cases,
            workers=args.workers,
            extra=(args.claims, args.max_seconds),
        )
    finally:
        stop.set()
        fold = report.get(timeout=600)
        folding.join(timeout=60)
    # The run ends when the last step's public event is in the ledger.
    seconds = result["seconds"] + fold["tail_s"]
    result.update(
        {
            "fold_tail_s": round(fold["tail_s"], 3),
            "folded": fold["folded"],
            "seconds": round(seconds, 3),
            "steps_per_s": round(result["steps"] / seconds, 1),
            "cases_per_s": round(result["cases"] / seconds, 1),
        }
    )
    sequence = ",".join(
        f"{kind}:{step}" if step else kind for kind, step in step_sequence(args.claims)
    )
    result.update({"part": "engine", "engine": "Loket", "step_sequence": sequence})
    write_result(args.out, result)


if __name__ == "__main__":
    main()
