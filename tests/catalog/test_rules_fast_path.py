"""The compiled fast path and the narrowed activation give exactly what celpy's
interpreter gives on the whole context: the same value, or the same error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.catalog import cel, rules
from loket.catalog.errors import RuleError

CONTEXT: dict[str, Any] = {
    "data": {
        "modal_usaha": 25_000_000,
        "luas": Decimal("12.5"),
        "nama": "Warung Bu Sri",
        "kosong": None,
        "aktif": True,
    },
    "tables": {"skala_usaha": {"skala": "mikro"}},
    "documents": {"ktp": {"present": True, "kind": "pdf", "size": 1351}},
    "applicant": {"age": 35, "has_email": True},
}

OPERANDS = [
    "data.modal_usaha",
    "data.luas",
    "data.nama",
    "data.kosong",
    "data.aktif",
    "data.tidak_ada",
    "tables.skala_usaha.skala",
    "documents.ktp.size",
    "documents.ktp.present",
    "applicant.age",
    "nothing",
    "1000000000",
    "0",
    "2.5",
    "17u",
    "'mikro'",
    "true",
    "null",
    "9223372036854775807",
]
OPERATORS = ["<", "<=", ">", ">=", "==", "!=", "+", "-", "*", "/", "%", "&&", "||"]


def _interpreted(expression: str) -> Any:
    """celpy's interpreter on the whole context converted, as before the fast path."""
    runner = cel.BudgetedRunner(cel._ENVIRONMENT, cel.compile_expression(expression))
    activation = {name: rules.to_cel(value) for name, value in CONTEXT.items()}
    try:
        return ("value", rules.from_cel(runner.evaluate(activation)))
    except Exception as exc:
        return ("error", type(exc).__name__)


def _now(expression: str) -> Any:
    try:
        return ("value", rules.evaluate(expression, CONTEXT))
    except RuleError:
        return ("error", "CELEvalError")


def _same(expression: str) -> None:
    before, now = _interpreted(expression), _now(expression)
    if before[0] == "error":
        assert now[0] == "error", expression
    else:
        assert now == before, expression
        assert type(now[1]) is type(before[1]), expression


@pytest.mark.parametrize(
    "expression",
    [
        "data.modal_usaha <= 1000000000",
        "tables.skala_usaha.skala == 'mikro'",
        "data.tidak_ada == 1 || true",
        "true || data.tidak_ada == 1",
        "data.tidak_ada == 1 && false",
        "!(data.modal_usaha > 5) && -data.luas < 0.0",
        "data.modal_usaha / 0 == 1",
        "9223372036854775807 + 1 > 0",
        "size(data) == 5",
        "'nama' in data",
        "data.kosong == null",
        "nothing",
        # An operator the interpreter refuses (`!` of a number) inside an absorbing ||.
        "data.aktif || !data.modal_usaha",
        "-data.nama == 1 || true",
    ],
)
def test_fast_path_agrees_with_the_interpreter(expression: str) -> None:
    _same(expression)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.sampled_from(OPERANDS),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(OPERATORS), inner).map(
                lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"
            ),
            inner.map(lambda e: f"!{e}"),
            inner.map(lambda e: f"-{e}"),
        ),
        max_leaves=6,
    )
)
def test_any_plain_expression_agrees_with_the_interpreter(expression: str) -> None:
    _same(expression)


def test_plain_expressions_take_the_fast_path_and_the_rest_the_interpreter() -> None:
    assert isinstance(cel.program("data.modal_usaha <= 1000000000"), cel.FastPathRunner)
    assert isinstance(cel.program("(a + 1) * 2 != b || !c"), cel.FastPathRunner)
    for expression in ["size(data) > 1", "[1, 2].all(x, x > 0)", "m['k']", "a ? 1 : 2"]:
        assert not isinstance(cel.program(expression), cel.FastPathRunner), expression


def test_only_the_fields_an_expression_reads_are_converted() -> None:
    assert rules._needs("data.modal_usaha <= 1 && tables.t.x == 'a'") == {
        "data": frozenset({"modal_usaha"}),
        "tables": frozenset({"t"}),
    }
    assert rules._needs("data.a == 1 && size(data) > 0") == {"data": None}
