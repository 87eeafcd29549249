"""The test run's environment, set before Django reads its settings.

Loaded as a plugin (`-p tests.environment` in pyproject's addopts): pytest imports
it before pytest-django configures Django, whereas tests/conftest.py is imported
after the settings module has read the environment, too late for it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Settings read the data directory at import time; point it at a throw-away
# place so tests never touch a developer's var/ (nor the other suite's files when
# `make test` runs the SQLite and PostgreSQL suites side by side).
os.environ.setdefault("LOKET_DATA_DIR", tempfile.mkdtemp(prefix="loket-test-"))
# pytest-xdist workers inherit the controller's environment, so its data directory:
# each worker gets a directory of its own inside it (keys, files and the SQLite
# database are written there; two workers creating one key file at once would race).
if os.environ.get("PYTEST_XDIST_WORKER"):
    _worker_dir = Path(os.environ["LOKET_DATA_DIR"]) / os.environ["PYTEST_XDIST_WORKER"]
    _worker_dir.mkdir(parents=True, exist_ok=True)
    os.environ["LOKET_DATA_DIR"] = str(_worker_dir)
os.environ.setdefault("LOKET_SERVICES_DIR", str(Path(__file__).resolve().parents[1] / "services"))

# The suite submits hundreds of applications naming the same demo contacts; the
# tests of the submission and SMS brakes set their own (low) limits.
for _limit in (
    "SUBMISSIONS_PER_ADDRESS",
    "SUBMISSIONS_PER_EMAIL",
    "SUBMISSIONS_PER_PHONE",
    "SMS_PER_PHONE",
):
    os.environ.setdefault(f"LOKET_{_limit}", "100000")

# Hypothesis fails an example that takes longer than its deadline (200 ms by default).
# `make test` runs two suites side by side on two cores, so wall-clock time per example
# says nothing about the code: a loaded run took 706 ms for a 1 ms example. Speed has
# its place in bench/, never in assertions (CONVENTIONS.md); examples still run in full.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("loket", deadline=None)
_hypothesis_settings.load_profile("loket")
