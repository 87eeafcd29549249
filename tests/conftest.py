"""Shared test set-up: every test run gets its own data directory."""

from __future__ import annotations

import os
import tempfile

# Settings read the data directory at import time; point it at a throw-away
# place before Django is configured so tests never touch a developer's var/.
os.environ.setdefault("LOKET_DATA_DIR", tempfile.mkdtemp(prefix="loket-test-"))
os.environ.setdefault(
    "LOKET_SERVICES_DIR", os.path.join(os.path.dirname(__file__), "..", "services")
)
