"""bench/run.py --merge: a partial rerun keeps the other parts and says where each came from."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def bench_modules(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import report
    import run

    yield run, report
    for name in ("run", "report", "harness", "workers"):
        sys.modules.pop(name, None)


def _results(parts: dict, date: str, commit: str, command: str) -> dict:
    return {
        "machine": {"date": date, "commit": commit, "cores": 2},
        "command": command,
        "total_s": 12.0,
        "args": {"parts": list(parts)},
        **parts,
    }


def test_merge_keeps_unmeasured_parts_and_names_their_run(bench_modules) -> None:
    run, report = bench_modules
    old_surveys = {"sqlite": {"error": "old surveys"}}
    old_web = {"error": "old web"}
    earlier = _results(
        {"surveys": old_surveys, "web": old_web}, "2026-12-02 13:00 UTC", "aaa111", "old cmd"
    )
    earlier["runs"] = [run._run_record(earlier, ["surveys", "web"])]
    new_web = {"error": "new web"}
    results = _results({"web": new_web}, "2026-12-02 15:00 UTC", "bbb222", "new cmd")
    results["runs"] = [run._run_record(results, ["web"])]

    run.merge(results, earlier)

    assert results["web"] is new_web  # a part measured now is never replaced by an old one
    assert results["surveys"] is old_surveys
    assert [r["parts"] for r in results["runs"]] == [["web"], ["surveys"]]
    assert results["runs"][1]["commit"] == "aaa111"
    text = report.render(results)
    assert "joins 2 unattended runs" in text
    assert "| surveys | 2026-12-02 13:00 UTC | aaa111 | `old cmd` |" in text
    assert "| web | 2026-12-02 15:00 UTC | bbb222 | `new cmd` |" in text


def test_merge_of_a_results_file_without_run_records_uses_its_own_header(bench_modules) -> None:
    run, _report = bench_modules
    earlier = _results({"surveys": {"sqlite": {}}}, "2026-11-23 10:00 UTC", "ccc333", "make bench")
    results = _results({}, "2026-12-02 15:00 UTC", "ddd444", "partial")
    results["runs"] = [run._run_record(results, ["engine"])]

    run.merge(results, earlier)

    assert results["runs"][1] == {
        "parts": ["surveys"],
        "date": "2026-11-23 10:00 UTC",
        "commit": "ccc333",
        "command": "make bench",
        "total_s": 12.0,
        "load": {},
    }


def test_a_single_run_report_names_its_commit(bench_modules) -> None:
    run, report = bench_modules
    results = _results({}, "2026-12-02 15:00 UTC", "eee555", "make bench")
    results["runs"] = [run._run_record(results, [])]
    text = report.render(results)
    assert "one unattended run" in text
    assert "| commit | eee555 |" in text


def test_the_licence_row_reads_the_issuing_part_worst_database_first(bench_modules) -> None:
    _run, report = bench_modules

    def issuing(p95: float) -> dict:
        return {"issuing": {"approval_to_licence_s": {"p50": 0.4, "p95": p95}}}

    results = {"issuing": {"sqlite": issuing(1.2), "postgresql": issuing(2.4)}}
    assert report._licence_p95(results) == 2.4
    text = report._summary(results)
    assert (
        "| approval → signed licence available, p95 with the worker running | ≤ 2 s | 2.40 s |"
        in text
    )
    assert report._licence_p95({}) is None


def test_the_engine_table_sets_both_engines_against_the_same_ceiling(bench_modules) -> None:
    _run, report = bench_modules
    loket = {"workers": 1, "cases": 100, "steps_per_s": 500.0, "cases_per_s": 125.0,
             "peak_rss_mb": 160}  # fmt: skip
    spiff = {"workers": 1, "cases": 100, "steps_per_s": 800.0}
    limit = {"runs": [{"workers": 1, "tx_per_s": 10_000.0}]}
    text = report._engine({"sqlite": {"loket": [loket], "spiff": [spiff], "limit": [limit]}})

    header = next(line for line in text.splitlines() if line.startswith("| database"))
    row = next(line for line in text.splitlines() if line.startswith("| SQLite | 1 |"))
    cells = dict(zip(header.split("|"), row.split("|"), strict=True))
    assert cells[" Loket / Spiff "].strip() == "0.62×"
    assert cells[" Loket / limit "].strip() == "5.0 %"
    assert cells[" Spiff / limit "].strip() == "8.0 %"


def test_machine_load_is_summarised_and_shown_per_run(bench_modules) -> None:
    run, report = bench_modules
    assert run.summarise_load([]) == {}
    assert run.summarise_load([0.5, 2.5, 1.0]) == {"mean": 1.33, "max": 2.5}
    sampler = run.LoadSampler(every_s=0.01).start()
    time.sleep(0.05)
    load = sampler.stop()
    assert 0 <= load["mean"] <= load["max"]
    earlier = _results(
        {"surveys": {"sqlite": {"error": "old"}}}, "2026-12-02 13:00 UTC", "aaa111", "old cmd"
    )
    earlier["runs"] = [run._run_record(earlier, ["surveys"])]  # recorded before load was
    results = _results({"web": {"error": "x"}}, "2026-12-02 15:00 UTC", "bbb222", "new cmd")
    results["load"] = {"mean": 0.4, "max": 1.25}
    results["runs"] = [run._run_record(results, ["web"])]
    run.merge(results, earlier)
    text = report.render(results)
    assert "| web | 2026-12-02 15:00 UTC | bbb222 | `new cmd` | 12 s | 0.4 / 1.2 |" in text
    assert "| surveys | 2026-12-02 13:00 UTC | aaa111 | `old cmd` | 12 s | not recorded |" in text
