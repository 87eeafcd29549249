"""Definitions written to hurt: CEL that would run for minutes, YAML nested to crash."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import loket
from loket.catalog import rules
from loket.catalog.errors import RuleError
from loket.catalog.loader import validate

from .conftest import demo_text
from .test_loader import line_of

THIRTY = "[" + ", ".join(str(i) for i in range(30)) + "]"
# 30 x 30 x 30 evaluations of the innermost body: minutes in an interpreted evaluator.
# A check rule of the demo definition, to wrap in costly or deep expressions.
RULE = "tables.skala_usaha.skala == 'mikro'"
NESTED_MACROS = f"{THIRTY}.all(a, {THIRTY}.all(b, {THIRTY}.all(c, a + b + c >= 0)))"


def test_the_demo_definition_has_the_rule_these_tests_wrap() -> None:
    assert f'"{RULE}"' in demo_text("izin-usaha-mikro")


def test_validate_refuses_a_rule_whose_estimated_cost_exceeds_the_budget() -> None:
    text = demo_text("izin-usaha-mikro").replace(f'"{RULE}"', f'"{RULE} && {NESTED_MACROS}"')

    errors = list(validate(text, "iu.yaml"))

    costly = [e for e in errors if "too costly" in e.problem]
    assert len(costly) == 1, errors
    assert costly[0].line == line_of(text, NESTED_MACROS)
    assert costly[0].problem.startswith("steps[0].checks[0].rule: ")
    assert str(costly[0]).startswith(f"iu.yaml:{costly[0].line}: ")


def test_validate_accepts_a_small_macro_over_the_data_fields() -> None:
    text = demo_text("izin-usaha-mikro").replace(
        f'"{RULE}"', f'"{RULE} && [1, 2, 3].all(x, x > 0)"'
    )

    assert list(validate(text, "iu.yaml")) == []


def test_the_cost_budget_is_a_setting(settings) -> None:
    settings.LOKET_CEL_COST_BUDGET = 5
    text = demo_text("izin-usaha-mikro")

    errors = list(validate(text, "iu.yaml"))

    assert errors and all("too costly" in e.problem for e in errors)


def test_a_rule_past_its_step_budget_at_run_time_fails_as_a_rule_error(settings) -> None:
    settings.LOKET_CEL_COST_BUDGET = 10  # 100 evaluation steps

    with pytest.raises(RuleError) as caught:
        rules.evaluate(NESTED_MACROS, {})

    assert "evaluation steps" in caught.value.reason


def test_a_rule_past_its_time_budget_at_run_time_is_stopped_promptly(settings) -> None:
    settings.LOKET_CEL_COST_BUDGET = 10**9
    settings.LOKET_CEL_TIME_BUDGET_SECONDS = 0.2
    started = time.monotonic()

    with pytest.raises(RuleError) as caught:
        rules.evaluate(NESTED_MACROS, {})

    assert "time budget" in caught.value.reason
    assert time.monotonic() - started < 3


def test_a_cheap_rule_still_evaluates_under_the_budget() -> None:
    assert rules.evaluate("[1, 2, 3].map(x, x * 2)", {}) == [2, 4, 6]


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_validate_command_refuses_deep_yaml_nesting_with_file_and_line(
    tmp_path: Path, opening: str
) -> None:
    # 30,000 levels crash PyYAML's composer (a segfault): run the real command in a
    # child process so a crash is a failed assertion, not a lost test run.
    deep = tmp_path / "deep.yaml"
    deep.write_text("steps:\n  - " + opening * 30_000 + "\n", encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LOKET_DATA_DIR"] = str(tmp_path / "var")
    env["PYTHONPATH"] = str(Path(loket.__file__).resolve().parents[1])  # the code under test
    result = subprocess.run(
        [sys.executable, "-m", "loket.cli", "services", "validate", str(deep)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    assert f"{deep}:2: " in result.stderr
    assert " 64 " in result.stderr  # the limit, in whichever language the command speaks


def test_validate_reports_a_rule_nested_too_deeply_to_walk_instead_of_crashing() -> None:
    nested = "(" * 400 + RULE + ")" * 400
    text = demo_text("izin-usaha-mikro").replace(f'"{RULE}"', f'"{nested}"')

    errors = list(validate(text, "iu.yaml"))

    assert [e.line for e in errors] == [line_of(text, nested)], errors


def test_a_cross_check_naming_a_list_instead_of_a_field_is_an_error_not_a_crash() -> None:
    text = demo_text("surat-keterangan-domisili")
    assert "cross_checks:" in text
    import yaml

    document = yaml.safe_load(text)
    document["requirements"]["cross_checks"][0]["nik"] = []
    errors = list(validate(yaml.safe_dump(document, allow_unicode=True), "skd.yaml"))
    assert any("cross_checks[0].nik" in e.problem for e in errors), errors
