from __future__ import annotations

from tests.cases.conftest import demo, fast_passwords  # noqa: F401  (the demo agency)
