"""Growth: do the officer queue, the tracking page and the overdue count stay flat?

A fixed working set of open cases (some overdue) is created through the real
engine; then closed history is added until the database holds 10 k, 100 k and
1 M cases (bench/bulk.py copies one real closed case), and at each size the
same requests are timed in-process through Django's test client (the whole
request: middleware, view, serialisation; no network) and their SQL queries
counted. Cost that does not depend on history stays flat.

    python bench/growth.py --database-url URL --data-dir DIR \
        --sizes 10000 100000 1000000 --out r.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness import peak_rss_mb, setup_django, write_result

CHUNK = 100_000


@dataclass
class Probe:
    name: str
    call: Callable[[], Any]


def build_working_set(open_cases: int) -> dict[str, Any]:
    """Open cases through the real engine: a third past their deadline, a third one step on."""
    from django.utils import timezone

    from engine import DECIDERS, EngineDriver
    from loket.cases import services
    from loket.cases.models import Task, TaskStatus

    driver = EngineDriver(claims=False)
    now = timezone.now()
    receipts = []
    for number in range(open_cases):
        # Submitted 30 days ago: every deadline has passed, so these are overdue.
        submitted = now - dt.timedelta(days=30) if number % 3 == 0 else now
        submission = driver.submit(number + 1, now=submitted)
        receipts.append((submission.case.tracking_number, submission.access_code))
        if number % 3 == 1:
            step, who = DECIDERS[0]
            task = Task.objects.get(case=submission.case, step_id=step, status=TaskStatus.OPEN)
            services.decide(task_id=task.pk, officer=driver.officers[who], decision="approve")
    # One case all the way to its licence: the template of the closed history. The final
    # approval asks the worker for the licence; the case closes when it is issued, so the
    # worker's sweep runs here (else a million "closed" copies would all be open cases).
    driver.run_case(open_cases + 1)
    from loket.cases.models import Case
    from loket.cases.services import issue_parked
    from loket.ledger.services import fold_pending

    issue_parked()
    fold_pending()
    template = Case.objects.get(pk=driver.last_case_id)
    assert template.closed_at is not None, f"the template case is {template.status}"
    return {"receipts": receipts, "template_case": template.pk}


def get_with(client: Any, path: str, **headers: str) -> Callable[[], Any]:
    """A probe's call: GET `path` with `client`; anything but 200 is an error."""

    def call() -> Any:
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        return response

    return call


def probes(receipts: list[tuple[str, str]]) -> list[Probe]:
    from django.test import Client

    client = Client()
    token = officer_token("andi")
    tracking, access_code = receipts[len(receipts) // 2]

    def get(path: str, **headers: str) -> Callable[[], Any]:
        return get_with(client, path, **headers)

    found = [
        Probe(
            "officer queue (GET /api/v1/tasks)",
            get("/api/v1/tasks", authorization=f"Bearer {token}"),
        ),
        Probe(
            "officer's workspace queue (GET /workspace/)",
            get_with(signed_in_officer("andi"), "/workspace/"),
        ),
        Probe(
            "tracking (GET /api/v1/applications/{n})",
            get(f"/api/v1/applications/{tracking}", x_access_code=access_code),
        ),
    ]
    overdue = overdue_probe()
    if overdue is not None:
        found.append(overdue)
    found += performance_probes()
    return found


def performance_probes(query: str = "") -> list[Probe]:
    """The public Kinerja page and the head's dashboard (issue 15: < 300 ms p95 at 1 M
    cases, constant queries). They read the rollup plus a few live counts of the month.
    `query` (e.g. "?bulan=2026-06") picks the month read."""
    from django.test import Client

    public, head = Client(), signed_in_officer("bambang")
    return [
        Probe(
            "public Kinerja page (GET /kinerja/kota-contoh/)",
            get_with(public, "/kinerja/kota-contoh/" + query),
        ),
        Probe(
            "head's dashboard (GET /workspace/kinerja/)",
            get_with(head, "/workspace/kinerja/" + query),
        ),
    ]


def officer_token(username: str) -> str:
    """A bearer token for a demo officer, through the real sign-in (password and TOTP)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from loket.api.auth import issue_token
    from loket.demo.agency import DEMO_PASSWORD
    from loket.workspace.otp import code_for

    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    otp = code_for(device) if device is not None else ""
    token, _stored, _officer = issue_token(None, username=username, password=DEMO_PASSWORD, otp=otp)
    return token


def signed_in_officer(username: str) -> Any:
    """A test client signed in as a demo officer, second factor passed."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from loket.org.models import Officer
    from loket.workspace.otp import confirmed_devices

    client = Client()
    user = Officer.objects.select_related("user").get(user__username=username).user
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_devices(user)[0].persistent_id
    session.save()
    return client


def overdue_probe() -> Probe | None:
    """The unit's overdue count, from the selector that the dashboards use."""
    from loket.cases import selectors
    from loket.org.models import Unit

    count = getattr(selectors, "overdue_count", None)
    if count is None:
        return None
    unit = Unit.objects.get(code="bidang-perizinan")
    return Probe("unit overdue count (selector)", lambda: count(unit))


def time_probe(probe: Probe, repeats: int) -> dict[str, Any]:
    from django.db import connection

    from engine import WriteCounter

    for _ in range(3):
        probe.call()
    # Counted with a wrapper: the test client's request_started signal clears
    # connection.queries, so CaptureQueriesContext would see none.
    counter = WriteCounter()
    with connection.execute_wrapper(counter):
        probe.call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        probe.call()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return {
        "queries": counter.queries,
        "p50_ms": round(1000 * statistics.median(samples), 2),
        "p95_ms": round(1000 * samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a migrated database with the demo")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--open-cases", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    setup_django(args.database_url, args.data_dir)
    from bulk import HistoryWriter, analyze
    from loket.cases.models import Case

    started = time.perf_counter()
    working = build_working_set(args.open_cases)
    setup_s = time.perf_counter() - started
    # The history's tasks and events move with their case, as in the insights and open-data
    # benches: left at the template's own moment, a million cases' tasks would all have
    # been decided this month, and the dashboard's counts of the month would read them all.
    writer = HistoryWriter(working["template_case"], shift_all=True)
    targets = probes(working["receipts"])
    sizes = []
    for size in sorted(args.sizes):
        started = time.perf_counter()
        while (have := Case.objects.count()) < size:
            writer.append(min(CHUNK, size - have))
        load_s = time.perf_counter() - started
        analyze_s = analyze()
        row: dict[str, Any] = {
            "cases": Case.objects.count(),
            "load_s": round(load_s, 1),
            "analyze_s": round(analyze_s, 1),
            "probes": {p.name: time_probe(p, args.repeats) for p in targets},
        }
        sizes.append(row)
        print(f"growth: {row['cases']} cases loaded in {load_s:.1f}s", flush=True)
    write_result(
        args.out,
        {
            "part": "growth",
            "open_cases": args.open_cases,
            "working_set_s": round(setup_s, 1),
            "sizes": sizes,
            "missing": [] if overdue_probe() is not None else ["unit overdue count selector"],
            "peak_rss_mb": round(peak_rss_mb(), 1),
        },
    )


if __name__ == "__main__":
    main()
