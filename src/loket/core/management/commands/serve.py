"""`loket serve`: the production web server (gunicorn) for this installation."""

from __future__ import annotations

import errno
import os
import socket
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def split_bind(bind: str) -> tuple[str, int]:
    """`host:port` (IPv6 as `[::1]:8000`) -> (host, port); CommandError when malformed."""
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"--bind must be HOST:PORT (e.g. 127.0.0.1:8080), not {bind!r}.")
    return host.strip("[]") or "127.0.0.1", int(port)


def ensure_bindable(bind: str) -> None:
    """Fail at once, with one clear message, when the address is taken.

    Without this gunicorn retries "Connection in use" in an endless log.
    """
    host, port = split_bind(bind)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"Port {port} on {host} is already in use (another Loket or program "
                    f"listens there). Choose another: make demo BIND={host}:8080, "
                    f"or loket demo --bind {host}:8080."
                ) from error
            raise CommandError(f"Cannot listen on {bind}: {error.strerror}.") from error


def control_socket_args() -> list[str]:
    """gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl, one path shared by
    every instance of the user; each instance gets none unless the operator names one."""
    path = os.environ.get("LOKET_GUNICORN_CONTROL_SOCKET", "")
    return ["--control-socket", path] if path else ["--no-control-socket"]


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
        *control_socket_args(),
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
        ensure_bindable(bind)
        argv = gunicorn_argv(bind, workers, threads)
        os.execv(argv[0], argv)  # noqa: S606 - replaces this process with the server
