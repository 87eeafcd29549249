"""The report says when the peer target lies above the database's own commit ceiling."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def report(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import report

    yield report
    sys.modules.pop("report", None)


def _engine(spiff: float, raw: float) -> dict:
    return {
        "postgresql": {
            "loket": [{"workers": 2, "steps_per_s": 198.0}],
            "spiff": [{"workers": 2, "steps_per_s": spiff}],
            "limit": [{"runs": [{"workers": 2, "tx_per_s": raw}]}],
        }
    }


def test_a_ceiling_below_the_target_is_explained_with_its_bound(report) -> None:
    [note] = report._ceiling_findings(_engine(spiff=400.0, raw=592.0))
    assert "cannot exceed 1.48×" in note
    assert "PostgreSQL, 2 worker(s)" in note
    [row, _share] = report._engine_rows(_engine(spiff=400.0, raw=592.0))
    assert row[2] == "0.49× (198 / 400; ceiling 1.48×)"


def test_a_ceiling_at_the_target_is_not_a_finding(report) -> None:
    # Exactly 1.5×: reachable in principle, so nothing to explain.
    assert report._ceiling_findings(_engine(spiff=400.0, raw=600.0)) == []
    assert report._ceiling_findings(_engine(spiff=400.0, raw=599.0)) != []


def test_no_limit_measured_gives_no_bound(report) -> None:
    engine = _engine(spiff=400.0, raw=0.0)
    assert report._ceiling_findings(engine) == []
    assert "ceiling" not in report._engine_rows(engine)[0][2]
