"""The WSGI workers hand the GIL round every half millisecond, not every five (ADR 0028)."""

from __future__ import annotations

import os
import subprocess
import sys


def _interval_in_a_worker(**env: str) -> float:
    code = "import sys, loket.wsgi; print(sys.getswitchinterval())"
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**environ, "DJANGO_SETTINGS_MODULE": "loket.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return float(result.stdout.strip().splitlines()[-1])


def test_a_worker_switches_threads_every_half_millisecond() -> None:
    assert _interval_in_a_worker() == 0.0005


def test_the_operator_may_choose_another_interval() -> None:
    assert _interval_in_a_worker(LOKET_GIL_SWITCH_MS="2") == 0.002
