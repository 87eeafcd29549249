"""The report says when the peer target lies above the database's own commit ceiling."""

from __future__ import annotations

import json
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


def _run(steps_per_s: float) -> dict:
    # What bench/workers.py's summary holds for one run.
    return {
        "workers": 2,
        "cases": 1000,
        "steps": 4000,
        "steps_per_s": steps_per_s,
        "cases_per_s": steps_per_s / 4,
        "peak_rss_mb": 170.0,
    }


def _engine(spiff: float, raw: float) -> dict:
    return {
        "postgresql": {
            "loket": [_run(198.0)],
            "spiff": [_run(spiff)],
            "limit": [{"runs": [{"workers": 2, "tx_per_s": raw}]}],
        }
    }


def test_a_ceiling_below_the_target_is_explained_with_its_bound(report) -> None:
    [note] = report._ceiling_findings(_engine(spiff=400.0, raw=592.0))
    assert "cannot exceed 1.48×" in note
    assert "PostgreSQL, 2 workers:" in note
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


def test_the_report_is_rewritten_from_a_results_file_alone(report, tmp_path: Path) -> None:
    results = {
        "machine": {"date": "2026-12-03 10:27 UTC", "commit": "abc1234", "cores": 2},
        "command": "bench/run.py",
        "total_s": 3600.0,
        "args": {"parts": ["engine"]},
        "engine": _engine(spiff=400.0, raw=592.0),
    }
    source, output = tmp_path / "results.json", tmp_path / "report.md"
    source.write_text(json.dumps(results))

    report.main(["--results", str(source), "--output", str(output)])

    text = output.read_text()
    assert text == report.render(results)
    assert "cannot exceed 1.48×" in text
