"""The peer: the same process in SpiffWorkflow, persisted like a real application.

The demo service is drawn as BPMN (bench/izin_usaha_mikro.bpmn). Each step is
one transaction that loads the workflow's serialised state from the database,
deserialises it, completes the task, serialises the whole workflow again and
writes it back, which is how an application stores a Spiff workflow between
requests (SpiffWorkflow keeps nothing itself). It uses the same database,
driver and Django connection settings as Loket. It writes one row per step and
no audit trail, events, ledger or outbox, so the comparison flatters the peer.

    python bench/peer_spiff.py --database-url URL --data-dir DIR --cases 2000 --out r.json
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from harness import BENCH_DIR, peak_rss_mb, setup_django, write_result
from workers import StepKind, run_workers

PROCESS_ID = "izin_usaha_mikro"
APPLICATION = {
    "nama_usaha": "Warung Makan Sederhana",
    "bidang_usaha": "kuliner",
    "alamat_usaha": "Jl. Merdeka No. 10, Kota Contoh",
    "modal_usaha": 25_000_000,
    "hasil_penjualan_tahunan": 150_000_000,
}
TABLE = "bench_spiff_workflow"


def create_table() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cur.execute(
            f"CREATE TABLE {TABLE} (id BIGINT PRIMARY KEY, tracking_number VARCHAR(32) "
            "NOT NULL UNIQUE, state TEXT NOT NULL, updated_at TIMESTAMP NOT NULL)"
        )


class SpiffDriver:
    """Runs one case at a time through the BPMN process, one transaction per step."""

    def __init__(self, steps: list[StepKind]) -> None:
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

        parser = BpmnParser()
        parser.add_bpmn_file(str(BENCH_DIR / "izin_usaha_mikro.bpmn"))
        # Parsed once per process, as an application caches its specs.
        self.spec = parser.get_spec(PROCESS_ID)
        self.serializer = BpmnWorkflowSerializer()
        self.steps = steps

    def _load(self, cur: Any, case_id: int) -> Any:
        from django.db import connection

        lock = "" if connection.vendor == "sqlite" else " FOR UPDATE"
        cur.execute(f"SELECT state FROM {TABLE} WHERE id = %s{lock}", [case_id])
        return self.serializer.deserialize_json(cur.fetchone()[0])

    def _save(self, cur: Any, case_id: int, workflow: Any) -> None:
        cur.execute(
            f"UPDATE {TABLE} SET state = %s, updated_at = %s WHERE id = %s",
            [self.serializer.serialize_json(workflow), _now(), case_id],
        )

    def _ready_user_task(self, workflow: Any, spec_name: str) -> Any:
        from SpiffWorkflow.util.task import TaskState

        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            if task.task_spec.name == spec_name:
                return task
        raise RuntimeError(f"no ready task {spec_name}")

    def submit(self, case_id: int) -> None:
        """Create the workflow and run its automatic check, as Loket's submit does."""
        from django.db import connection, transaction
        from SpiffWorkflow.bpmn import BpmnWorkflow

        workflow = BpmnWorkflow(self.spec)
        start = workflow.get_tasks()[0]
        # The start event carries the application data into the process.
        start.data.update({**APPLICATION, "case_number": case_id, "year": 2026})
        workflow.do_engine_steps()  # start event, automatic check, gateway
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {TABLE} (id, tracking_number, state, updated_at) "
                "VALUES (%s, %s, %s, %s)",
                [case_id, f"SPIFF-{case_id:08d}", self.serializer.serialize_json(workflow), _now()],
            )

    def claim(self, case_id: int, step: str) -> None:
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cur:
            workflow = self._load(cur, case_id)
            task = self._ready_user_task(workflow, step)
            task.data["claimed_by"] = "bench-officer"
            self._save(cur, case_id, workflow)

    def decide(self, case_id: int, step: str) -> None:
        """Approve the task and run on; the final approval also issues (script task)."""
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cur:
            workflow = self._load(cur, case_id)
            task = self._ready_user_task(workflow, step)
            task.data.update({"decision": "approve", "reason": "Lengkap dan benar."})
            task.run()
            workflow.do_engine_steps()
            self._save(cur, case_id, workflow)

    def run_case(self, case_id: int) -> int:
        """Drive one case from submission to issue; return the number of steps."""
        for kind, step in self.steps:
            if kind == "submit":
                self.submit(case_id)
            elif kind == "claim":
                self.claim(case_id, step.replace("-", "_"))
            elif kind == "decide":
                self.decide(case_id, step.replace("-", "_"))
            else:
                raise ValueError(f"unknown step kind {kind}")
        return len(self.steps)

    def check_completed(self, case_id: int) -> None:
        from django.db import connection

        with connection.cursor() as cur:
            workflow = self._load(cur, case_id)
        if not workflow.is_completed() or "document_number" not in workflow.data:
            raise RuntimeError(f"workflow {case_id} did not reach its end with a licence number")


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def worker(
    database_url: str,
    data_dir: str,
    first: int,
    count: int,
    steps: list[StepKind],
    max_seconds: float,
) -> dict[str, Any]:
    """One driver process: set up, warm up, then time `count` cases."""
    setup_django(database_url, data_dir)
    driver = SpiffDriver(steps)
    driver.run_case(first - 1)  # warm-up case (id below this worker's range), not timed
    driver.check_completed(first - 1)
    baseline = peak_rss_mb()
    started = time.time()
    steps_done, cases = 0, 0
    for case_id in range(first, first + count):
        if time.time() - started > max_seconds:
            break  # the time budget is spent: report what was done
        steps_done += driver.run_case(case_id)
        cases += 1
    finished = time.time()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT state FROM {TABLE} WHERE id = %s", [first - 1])
        state_bytes = len(cur.fetchone()[0])
    return {
        "cases": cases,
        "steps": steps_done,
        "started": started,
        "finished": finished,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak_rss_mb(),
        "state_bytes": state_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--steps",
        default="submit,decide:verifikasi-berkas,decide:kajian-teknis,decide:persetujuan",
        help="the step sequence of one case, as the Loket engine benchmark ran it",
    )
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    steps = parse_steps(args.steps)
    setup_django(args.database_url, args.data_dir)
    create_table()
    from django.db import connections

    connections.close_all()
    result = run_workers(
        worker,
        args.database_url,
        args.data_dir,
        cases=args.cases,
        workers=args.workers,
        extra=(steps, args.max_seconds),
    )
    import SpiffWorkflow

    result.update(
        {
            "part": "spiff",
            "engine": f"SpiffWorkflow {SpiffWorkflow.__version__}",
            "step_sequence": args.steps,
        }
    )
    write_result(args.out, result)


def parse_steps(text: str) -> list[StepKind]:
    steps: list[StepKind] = []
    for item in text.split(","):
        kind, _, step = item.strip().partition(":")
        steps.append((kind, step))
    return steps


if __name__ == "__main__":
    main()
