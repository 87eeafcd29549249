"""Shared plumbing for the benchmarks: databases, Django set-up, results, machine facts.

Every measurement runs in its own process (`python bench/<part>.py ...`) so that
peak memory is that part's own and Django is configured for exactly one
database. The orchestrator (`bench/run.py`) prepares each database once
(migrate + demo agency) and hands every part a fresh copy of it.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
PYTHON = sys.executable


# --------------------------------------------------------------------------- Django


def setup_django(database_url: str, data_dir: str) -> None:
    """Point the settings at this database and data directory, then configure Django.

    Must run before anything imports Django models: the settings module reads
    the environment once, at import time.
    """
    os.environ["DJANGO_SETTINGS_MODULE"] = "loket.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["LOKET_DATA_DIR"] = data_dir
    os.environ.setdefault("LOKET_SERVICES_DIR", str(REPO_DIR / "services"))
    os.environ.setdefault("LOKET_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(REPO_DIR / "src"))
    import django

    django.setup()


def peak_rss_mb() -> float:
    """This process's resident-set high-water mark in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_result(path: str | Path, result: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(result, indent=2, default=str))


def read_result(path: str | Path) -> dict[str, Any]:
    return dict(json.loads(Path(path).read_text()))


def backend_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bindir() -> Path:
    try:
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if (Path(out) / "initdb").exists():
            return Path(out)
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries (initdb) not found")
    return candidates[-1].parent


def free_port() -> int:
    """A free loopback port; from LOKET_BENCH_PORTS ("18100-18199") when set, so that
    benchmarks on a shared machine stay inside the range they were given."""
    span = os.environ.get("LOKET_BENCH_PORTS", "")
    candidates = [0]
    if span:
        low, _, high = span.partition("-")
        candidates = list(range(int(low), int(high or low) + 1))
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            chosen = int(sock.getsockname()[1])
        if chosen not in _given:
            _given.add(chosen)
            return chosen
    raise RuntimeError(f"no free port in LOKET_BENCH_PORTS={span}")


_given: set[int] = set()  # a port handed out but not yet bound by its server


# Durable settings on purpose: fsync, synchronous_commit and full_page_writes
# stay at their defaults (on), so every commit waits for the WAL to reach the
# disk, as in production. Only memory is sized for a small server.
PG_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "shared_buffers": "256MB",
    "max_connections": "200",
    "max_wal_size": "4GB",
}


@dataclass
class PostgresServer:
    """A private PostgreSQL server on loopback, removed on stop()."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="loket-bench-pg-")))
    port: int = field(default_factory=free_port)
    version: str = ""

    def __post_init__(self) -> None:
        self.bindir = _pg_bindir()
        self.as_pg: list[str] = []
        if os.getuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.workdir, "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]

    def _run(self, *argv: str) -> str:
        result = subprocess.run(
            [*self.as_pg, *argv], capture_output=True, text=True, check=False, cwd="/"
        )
        if result.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> PostgresServer:
        data = self.workdir / "data"
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = " ".join(f"-c {k}={v}" for k, v in PG_SETTINGS.items())
        options += f" -c listen_addresses=127.0.0.1 -p {self.port} -k {self.workdir}"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.workdir / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        self.version = self._run(str(self.bindir / "postgres"), "--version").split()[2]
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def clone(self, template: str, name: str) -> str:
        """A fresh database copied from `template` (file-level copy, seconds)."""
        self.sql(f'DROP DATABASE IF EXISTS "{name}"')
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_pg,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.workdir / "data"),
                "-m",
                "fast",
                "stop",
            ],
            capture_output=True,
            check=False,
            cwd="/",
        )
        shutil.rmtree(self.workdir, ignore_errors=True)


# --------------------------------------------------------------------------- databases


@dataclass
class Database:
    """One backend under test: a prepared template and a way to get fresh copies."""

    backend: str  # "sqlite" | "postgresql"
    data_dir: Path
    server: PostgresServer | None = None
    template: str = ""  # SQLite file path or PostgreSQL database name
    settings_note: str = ""

    def fresh(self, name: str) -> str:
        """DATABASE_URL of a new copy of the prepared template."""
        if self.backend == "sqlite":
            target = self.data_dir / f"{name}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.template, target)
            return f"sqlite:///{target}"
        assert self.server is not None
        return self.server.clone(self.template, name)

    def empty_url(self, name: str) -> str:
        """DATABASE_URL of an empty database (for the raw commit-rate test)."""
        if self.backend == "sqlite":
            target = self.data_dir / f"{name}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{target}"
        assert self.server is not None
        self.server.sql(f'DROP DATABASE IF EXISTS "{name}"')
        self.server.sql(f'CREATE DATABASE "{name}"')
        return self.server.url(name)


def run_part(
    script: str, args: list[str], *, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run `bench/<script>` in its own process and return the JSON it wrote."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    started = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, str(BENCH_DIR / script), *args, "--out", out],
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        Path(out).unlink(missing_ok=True)
        tail = "\n".join((proc.stderr or proc.stdout).splitlines()[-25:])
        return {"error": f"{script} exited with {proc.returncode}:\n{tail}", "wall_s": elapsed}
    result = read_result(out)
    Path(out).unlink(missing_ok=True)
    result.setdefault("wall_s", elapsed)
    return result


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    """The facts a reader needs to compare these numbers with their own."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import sqlite3

    import django

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_gib, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "commit": _commit(),
    }


def _commit() -> str | None:
    """The commit measured, with a mark when the tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_DIR), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head} (with uncommitted changes)" if dirty else head
