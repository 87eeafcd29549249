"""What a commit on SQLite survives is the operator's choice: LOKET_SQLITE_SYNCHRONOUS."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="a setting of the SQLite database"
)

PROBE = (
    "import django; django.setup(); from django.db import connection;"
    "c = connection.cursor(); c.execute('PRAGMA synchronous'); print(c.fetchone()[0])"
)


def _start(tmp_path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "LOKET_SQLITE_SYNCHRONOUS"}
    }
    env.update(DJANGO_SETTINGS_MODULE="loket.settings", LOKET_DATA_DIR=str(tmp_path), **environment)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_default_is_normal_and_full_syncs_every_commit(tmp_path):
    # SQLite's own numbers: 1 = NORMAL, 2 = FULL.
    assert _start(tmp_path).stdout.strip() == "1"
    assert _start(tmp_path, LOKET_SQLITE_SYNCHRONOUS="full").stdout.strip() == "2"


def test_another_value_stops_the_start_naming_the_variable(tmp_path):
    started = _start(tmp_path, LOKET_SQLITE_SYNCHRONOUS="OFF")
    assert started.returncode != 0
    assert "LOKET_SQLITE_SYNCHRONOUS must be NORMAL or FULL, not 'OFF'" in started.stderr
