"""CPU per tracking GET in one process, through Django's test client (no server).

The web part (bench/web.py) gives requests/s under Locust on a machine shared with
the load generator and the database, where wall-clock time is noise. This gives the
process's own CPU time per `GET /api/v1/applications/{n}` (the same request Locust
sends, access code in the header) over many requests, so two versions of the code can
be compared A/B by running this alternately in each.

    python bench/tracking_cpu.py [--database-url URL] [--cases 40] [--requests 3000]
    python bench/tracking_cpu.py --profile 20      # cProfile: the 20 costliest functions

Without --database-url it prepares a throw-away SQLite database (migrate, demo agency).
A third of the cases have their first task decided (a longer timeline, an open task).
The settings are the web part's (bench/bare_settings.py, production, DEBUG off), and the
bare view is measured in the same loop, alternating in blocks, for the in-process ratio;
`view_alone` is the tracking operation called with a RequestFactory request (no
middleware, no test client).
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import sys
import tempfile
import time
from typing import Any

from harness import BENCH_DIR, REPO_DIR


def _prepare(cases: int) -> list[tuple[str, str]]:
    from django.core.management import call_command

    from loket.demo.agency import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    load_demo()
    from engine import DECIDERS, EngineDriver
    from loket.cases import services

    driver = EngineDriver(claims=False)
    receipts = []
    for number in range(1, cases + 1):
        submission = driver.submit(700_000 + number)
        case = submission.case
        if number % 3 == 0:
            step, who = DECIDERS[0]
            services.decide(
                task_id=driver._open_task(case.pk, step),
                officer=driver.officers[who],
                decision="approve",
                reason="Lengkap.",
            )
        receipts.append((case.tracking_number, submission.access_code))
    return receipts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="trk-cpu-")
    url = args.database_url or f"sqlite:///{data_dir}/loket.sqlite3"
    # As bench/web.py serves it.
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bare_settings",
        DATABASE_URL=url,
        LOKET_DATA_DIR=data_dir,
        LOKET_PRODUCTION="1",
        LOKET_SSL_REDIRECT="0",
        LOKET_DEBUG="0",
        LOKET_LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("LOKET_SERVICES_DIR", str(REPO_DIR / "services"))
    sys.path[:0] = [str(BENCH_DIR), str(REPO_DIR / "src")]
    import django

    django.setup()
    from django.test import Client

    receipts = _prepare(args.cases)
    client = Client()
    cycle = itertools.cycle(receipts)

    def one() -> Any:
        number, code = next(cycle)
        response = client.get(f"/api/v1/applications/{number}", HTTP_X_ACCESS_CODE=code)
        assert response.status_code == 200, response.content
        return response

    def bare() -> Any:
        return client.get("/bench/bare/")

    from django.test import RequestFactory

    from loket.cases.api import routers

    factory = RequestFactory()

    def view() -> Any:
        """The operation alone, no middleware: the part of a GET that is the view's."""
        number, code = next(cycle)
        request = factory.get(f"/api/v1/applications/{number}", HTTP_X_ACCESS_CODE=code)
        response = routers.get_application(request, number, "", code)
        assert response.status_code == 200
        return response

    for _ in range(2 * len(receipts)):  # warm: definitions compiled, titles read
        one()
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            one()
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)
        return
    spent = {"tracking": 0.0, "bare": 0.0, "view": 0.0}
    block = 100
    for _ in range(max(1, args.requests // block)):
        for name, request in (("tracking", one), ("bare", bare), ("view", view)):
            started = time.process_time()
            for _ in range(block):
                request()
            spent[name] += time.process_time() - started
    runs = max(1, args.requests // block) * block
    tracking, bare_view, alone = (spent[n] / runs * 1e6 for n in ("tracking", "bare", "view"))
    ratio = bare_view / tracking
    print(
        f"cpu_us_per_get tracking {tracking:.1f} bare {bare_view:.1f} ratio {ratio:.2f}"
        f" view_alone {alone:.1f}"
    )


if __name__ == "__main__":
    main()
