"""Evaluating the rules of a service definition: CEL expressions and decision tables.

The context an expression sees (docs/service-definition.md):
`data` (the application's fields), `documents` (uploaded documents by name:
{kind, size}), `tables` (decision table outputs) and `applicant`.
Programs are compiled once per expression text and cached, because the case
engine evaluates them on every automatic step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from celpy import celtypes
from celpy.evaluation import CELEvalError

from loket.catalog import cel
from loket.catalog.errors import RuleError
from loket.catalog.fields import field_type

__all__ = [
    "RuleError",
    "build_context",
    "evaluate",
    "evaluate_tables",
    "fee_for",
    "from_cel",
    "rupiah_of",
    "to_cel",
]


def to_cel(value: Any) -> Any:
    """A Python value as the CEL value the evaluator expects.

    Decimals become doubles (CEL has no decimal type); dates become timestamps
    at 00:00 UTC so getFullYear() & co. give the calendar date; naive
    datetimes are taken as UTC.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        return celtypes.IntType(value)
    if isinstance(value, float | Decimal):
        return celtypes.DoubleType(float(value))
    if isinstance(value, str):
        return celtypes.StringType(value)
    if isinstance(value, bytes):
        return celtypes.BytesType(value)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return celtypes.TimestampType(aware.astimezone(dt.UTC))
    if isinstance(value, dt.date):
        return celtypes.TimestampType(
            dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        )
    if isinstance(value, dt.timedelta):
        return celtypes.DurationType(value)
    if isinstance(value, Mapping):
        return celtypes.MapType({celtypes.StringType(str(k)): to_cel(v) for k, v in value.items()})
    if isinstance(value, list | tuple | set | frozenset):
        return celtypes.ListType([to_cel(v) for v in value])
    raise TypeError(f"cannot give a {type(value).__name__} to a CEL expression")


def from_cel(value: Any) -> Any:
    """A CEL result as a plain Python value (bool, int, float, str, bytes, datetime, ...)."""
    if value is None or isinstance(value, celtypes.NullType):
        return None
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.IntType | celtypes.UintType):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, celtypes.BytesType):
        return bytes(value)
    if isinstance(value, celtypes.TimestampType):
        return dt.datetime.fromtimestamp(value.timestamp(), tz=dt.UTC)
    if isinstance(value, celtypes.DurationType):
        return dt.timedelta(seconds=value.total_seconds())
    if isinstance(value, Mapping):
        return {from_cel(k): from_cel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_cel(v) for v in value]
    return value


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """The value of a CEL expression for `context`; raises RuleError naming the expression."""
    try:
        program = cel.program(expression)
    except cel.CelSyntaxError as exc:
        raise RuleError(expression, str(exc)) from None
    try:
        activation = _activation(expression, context)
    except TypeError as exc:
        raise RuleError(expression, str(exc)) from None
    try:
        result = program.evaluate(activation)
    except CELEvalError as exc:
        raise RuleError(expression, _reason(exc)) from None
    except cel.CelBudgetExceeded as exc:
        raise RuleError(expression, exc.reason) from None
    except (TypeError, ValueError, ArithmeticError, KeyError, RecursionError) as exc:
        # celpy wraps most failures in CELEvalError; these escape on odd operand types.
        raise RuleError(expression, f"{type(exc).__name__}: {exc}") from None
    if isinstance(result, CELEvalError):
        raise RuleError(expression, _reason(result))
    return from_cel(result)


def _activation(expression: str, context: Mapping[str, Any]) -> dict[str, Any]:
    """The context as CEL values, converting only what the expression can read: the
    names it uses and, of a map it only reads fields of (`data.modal_usaha`), those
    fields. Converting every field for every expression cost more than evaluating it."""
    needs = _needs(expression)
    activation: dict[str, Any] = {}
    for name, value in context.items():
        if name not in needs:
            continue
        keys = needs[name]
        if keys is None or not isinstance(value, Mapping):
            activation[name] = to_cel(value)
        else:
            activation[name] = celtypes.MapType(
                {celtypes.StringType(key): to_cel(value[key]) for key in keys if key in value}
            )
    return activation


@lru_cache(maxsize=4096)
def _needs(expression: str) -> dict[str, frozenset[str] | None]:
    """Names the expression reads -> the fields it reads of each (None: all of it, as
    for a name used whole, e.g. `size(data)` or `data[name]`)."""
    needs: dict[str, frozenset[str] | None] = {}
    for chain in cel.references(expression):
        root = chain[0]
        if len(chain) == 1 or (root in needs and needs[root] is None):
            needs[root] = None
        else:
            needs[root] = (needs.get(root) or frozenset()) | {chain[1]}
    return needs


def _reason(exc: CELEvalError) -> str:
    reason = str(exc.args[0]) if exc.args else type(exc).__name__
    # celpy appends the whole activation to "undeclared reference" messages.
    return reason.split(" (in activation", 1)[0]


def evaluate_condition(expression: str, context: Mapping[str, Any]) -> bool:
    """Like evaluate(), but the result must be true or false."""
    result = evaluate(expression, context)
    if not isinstance(result, bool):
        raise RuleError(expression, f"gave {result!r}, not true or false")
    return result


def evaluate_tables(
    definition: Mapping[str, Any], context: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """The output of every decision table (table name -> output), first matching rule wins.

    Tables are evaluated in order and each sees the outputs of the earlier
    ones. A table with no matching rule raises RuleError.
    """
    tables: dict[str, dict[str, Any]] = {}
    for table in definition.get("decision_tables", []):
        scope = {**context, "tables": tables}
        for rule in table["rules"]:
            if evaluate_condition(rule["when"], scope):
                tables[table["name"]] = dict(rule["output"])
                break
        else:
            raise RuleError(
                table["name"], 'no rule of the decision table matched; end it with `when: "true"`'
            )
    return tables


def build_context(
    definition: Mapping[str, Any],
    *,
    data: Mapping[str, Any],
    documents: Mapping[str, Mapping[str, Any]] | None = None,
    applicant: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The context rules see: every declared field (missing ones are null), tables evaluated.

    Values stored as JSON are turned back into their field type: ISO date
    text into a date, decimal text or numbers into Decimal (the field type decides).
    """
    fields = {f["name"]: f["type"] for f in definition["requirements"]["data"]}
    typed = {name: _typed(name, kind, data.get(name)) for name, kind in fields.items()}
    context: dict[str, Any] = {
        "data": typed,
        "documents": {name: dict(info) for name, info in (documents or {}).items()},
        "applicant": dict(applicant or {}),
    }
    context["tables"] = evaluate_tables(definition, context)
    return context


def _typed(name: str, kind: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    try:
        return field_type(kind).rule_value(value)
    except (ValueError, InvalidOperation, TypeError):
        raise RuleError(f"data.{name}", f"{value!r} is not a valid {kind}") from None


def fee_for(definition: Mapping[str, Any], data: Mapping[str, Any]) -> int:
    """The fee in whole rupiah for an application's data (a fraction rounds half up)."""
    fee = definition["fee"]
    if fee.get("amount") is not None:
        return int(fee["amount"])
    return rupiah_of(definition, fee["expression"], data)


def rupiah_of(definition: Mapping[str, Any], expression: str, data: Mapping[str, Any]) -> int:
    """An amount in whole rupiah computed by a CEL expression over `data` and `tables`,
    rounded half up; a fee and a payment step's bill are computed alike."""
    result = evaluate(expression, build_context(definition, data=data))
    if isinstance(result, bool) or not isinstance(result, int | float):
        raise RuleError(expression, f"gave {result!r}, not an amount of rupiah")
    # CEL computes in binary floating point: 25000 * 0.11 * 0.57 gives 1567.4999999999998
    # for a true 1567.5. Round to a millionth of a rupiah first, then half up to rupiah.
    exact = Decimal(str(result)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    amount = exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise RuleError(expression, f"gave a negative amount ({amount})")
    return int(amount)
