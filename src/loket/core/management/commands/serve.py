"""`loket serve`: the production web server (gunicorn) for this installation."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def gunicorn_argv(bind: str, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "loket.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        # Path without the query string: an access code or e-mail in a query must not
        # end up in the access log.
        "--access-logformat",
        '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss',
        # Control characters escaped: `%0d%0a` in a path must not forge a log line.
        "--logger-class",
        "loket.core.access_log.SafeAccessLogger",
        "--timeout",
        "60",
    ]


class Command(BaseCommand):
    help = "Serve Loket over HTTP with gunicorn (DEBUG off)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("LOKET_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, bind: str, workers: int, threads: int, **options: Any) -> None:
        argv = gunicorn_argv(bind, workers, threads)
        os.execv(argv[0], argv)  # noqa: S606 - replaces this process with the server
