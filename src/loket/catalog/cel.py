"""CEL expressions: compiling them once, and finding the names they refer to.

Shared by the loader (syntax and name checks at validation time) and by
`rules` (evaluation at run time), so both see exactly the same grammar.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import celpy
import lark
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError, Evaluator
from django.conf import settings

# One environment for the whole process: it only holds the parser and the
# standard annotations, and the interpreted runner keeps no state between
# evaluations.
_ENVIRONMENT = celpy.Environment()

# Macros whose first argument is a variable bound inside the second one.
_BINDING_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
_SIMPLE_STRING = re.compile(r"""^(?:'([^'\\]*)'|"([^"\\]*)")$""")

# Defaults of the settings LOKET_CEL_COST_BUDGET and LOKET_CEL_TIME_BUDGET_SECONDS.
DEFAULT_COST_BUDGET = 5_000
DEFAULT_TIME_BUDGET_SECONDS = 1.0
# The size assumed for a list or map whose size is unknown before run time (data,
# documents, tables, or a value bound by an outer macro). Definitions declare a few
# dozen fields at most; a literal's size is counted exactly.
ASSUMED_COLLECTION_SIZE = 32
# Evaluation steps (nodes visited) allowed at run time per unit of estimated cost:
# the estimate counts nodes too, but cannot see e.g. short-circuits or string sizes.
RUN_STEPS_PER_COST = 10


class CelSyntaxError(ValueError):
    """The text is not a CEL expression; `column` and `line` are 1-based within it."""

    def __init__(self, expression: str, line: int, column: int):
        super().__init__(f"syntax error at line {line}, column {column}")
        self.expression = expression
        self.line = line
        self.column = column


@lru_cache(maxsize=4096)
def compile_expression(expression: str) -> lark.Tree[Any]:
    """The parse tree of `expression`; raises CelSyntaxError. Cached by text."""
    try:
        return _ENVIRONMENT.compile(expression)
    except CELParseError as exc:
        raise CelSyntaxError(
            expression, getattr(exc, "line", None) or 1, getattr(exc, "column", None) or 1
        ) from None
    except (lark.exceptions.LarkError, RecursionError, ValueError):
        # Pathological input (deep nesting, odd escapes) that the parser does
        # not turn into a CELParseError is still a syntax error to our users.
        raise CelSyntaxError(expression, 1, 1) from None


class CelBudgetExceeded(Exception):
    """An evaluation ran past its step or time budget and was stopped."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def cost_budget() -> int:
    return int(getattr(settings, "LOKET_CEL_COST_BUDGET", DEFAULT_COST_BUDGET))


def time_budget() -> float:
    return float(getattr(settings, "LOKET_CEL_TIME_BUDGET_SECONDS", DEFAULT_TIME_BUDGET_SECONDS))


class _Budget:
    def __init__(self, steps: int, seconds: float):
        self.steps_left = steps
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def spend(self) -> None:
        self.steps_left -= 1
        if self.steps_left < 0:
            raise CelBudgetExceeded("stopped: it took more evaluation steps than its budget")
        # Reading the clock on every node would cost more than the node itself.
        if self.steps_left % 128 == 0 and time.monotonic() > self.deadline:
            raise CelBudgetExceeded(
                f"stopped: it ran longer than its time budget of {self.seconds:g} s"
            )


class _BudgetedEvaluator(Evaluator):
    """celpy's interpreter, charging one step per node visited (macros included)."""

    budget: _Budget

    def visit_children(self, tree: lark.Tree[Any]) -> list[Any]:
        self.budget.spend()
        return super().visit_children(tree)

    def sub_evaluator(self, ast: lark.Tree[Any]) -> Evaluator:
        nested = _BudgetedEvaluator(ast, activation=self.activation)
        nested.budget = self.budget
        return nested


class BudgetedRunner(celpy.InterpretedRunner):
    """Evaluates within LOKET_CEL_TIME_BUDGET_SECONDS and a step budget derived from
    LOKET_CEL_COST_BUDGET; raises CelBudgetExceeded past either."""

    def evaluate(self, context: Any) -> Any:
        evaluator = _BudgetedEvaluator(ast=self.ast, activation=self.new_activation())
        evaluator.budget = _Budget(cost_budget() * RUN_STEPS_PER_COST, time_budget())
        return evaluator.evaluate(context)


@lru_cache(maxsize=4096)
def program(expression: str) -> celpy.Runner:
    """A ready-to-run, budgeted program for `expression`; raises CelSyntaxError. Cached."""
    tree = compile_expression(expression)
    fast = _fast_path(tree)
    if fast is None:
        return BudgetedRunner(_ENVIRONMENT, tree)
    return FastPathRunner(_ENVIRONMENT, tree, fast)


# -- the fast path --------------------------------------------------------------
#
# Most rules are plain comparisons of fields with literals, joined by && and ||
# (`data.modal_usaha <= 1000000000`). celpy's interpreter walks the parse tree with
# lark's visitor for each evaluation (~0.3 ms); such an expression is compiled once
# into nested closures instead, calling the very operator functions the interpreter
# calls, on the same CEL values. Anything else (macros, function calls, indexing,
# ternaries, list or map literals) keeps the interpreter, and so does every
# evaluation that meets an error on the way: the closures give up and the
# interpreter evaluates again, so errors, their messages and CEL's error-absorbing
# `||`/`&&` are the interpreter's own. No budget is needed: without macros or calls
# the work is bounded by the expression's size, which the loader already limits.

Closure = Callable[[dict[str, Any]], Any]
_OPERATORS = {
    "relation_lt": "_<_",
    "relation_le": "_<=_",
    "relation_ge": "_>=_",
    "relation_gt": "_>_",
    "relation_eq": "_==_",
    "relation_ne": "_!=_",
    "relation_in": "_in_",
    "addition_add": "_+_",
    "addition_sub": "_-_",
    "multiplication_mul": "_*_",
    "multiplication_div": "_/_",
    "multiplication_mod": "_%_",
    "unary_not": "!_",
    "unary_neg": "-_",
}
_PASS_THROUGH = frozenset(
    {"expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication"}
    | {"unary", "member", "primary", "paren_expr"}
)


class _GiveUp(Exception):
    """The fast path met something only the interpreter answers exactly."""


class FastPathRunner(BudgetedRunner):
    """Evaluates with the compiled closures; falls back to the budgeted interpreter."""

    def __init__(self, environment: Any, ast: Any, fast: Closure) -> None:
        super().__init__(environment, ast)
        self.fast = fast

    def evaluate(self, context: Any) -> Any:
        if isinstance(context, dict):
            try:
                return self.fast(context)
            except _GiveUp:
                pass
        return super().evaluate(context)


def _fast_path(tree: lark.Tree[Any]) -> Closure | None:
    """Closures computing the expression, or None when it uses more than the fast path
    knows."""
    functions = celpy.Environment().program(tree).new_activation()
    try:
        return _compile(tree, functions)
    except _GiveUp:
        return None


def _compile(node: object, functions: Any) -> Closure:  # noqa: PLR0911
    if not isinstance(node, lark.Tree):
        raise _GiveUp
    kind = str(node.data)
    children = node.children
    if kind in _PASS_THROUGH and len(children) == 1:
        return _compile(children[0], functions)
    if kind in ("conditionalor", "conditionaland") and len(children) == 2:
        name = "_||_" if kind == "conditionalor" else "_&&_"
        return _binary(functions.resolve_function(name), children[0], children[1], functions)
    if kind in ("relation", "addition", "multiplication") and len(children) == 2:
        operator, right = children
        if not isinstance(operator, lark.Tree) or len(operator.children) != 1:
            raise _GiveUp
        function = functions.resolve_function(_OPERATORS[str(operator.data)])
        return _binary(function, operator.children[0], right, functions)
    if kind == "unary" and len(children) == 2 and isinstance(children[0], lark.Tree):
        function = functions.resolve_function(_OPERATORS[str(children[0].data)])
        return _unary(function, _compile(children[1], functions))
    if kind == "member_dot" and len(children) == 2:
        return _field(_compile(children[0], functions), str(children[1]))
    if kind == "ident" and len(children) == 1:
        return _variable(str(children[0]))
    if kind == "literal":
        constant = Evaluator(ast=node, activation=functions).literal(node)
        _checked(constant)
        return lambda values: constant
    raise _GiveUp


def _checked(value: Any) -> Any:
    if isinstance(value, CELEvalError):
        raise _GiveUp
    return value


def _binary(function: Any, left_node: object, right_node: object, functions: Any) -> Closure:
    left, right = _compile(left_node, functions), _compile(right_node, functions)

    def apply(values: dict[str, Any]) -> Any:
        # Both sides, as the interpreter evaluates them; any failure is its to report.
        first, second = _checked(left(values)), _checked(right(values))
        try:
            return _checked(function(first, second))
        except _GiveUp:
            raise
        except Exception:
            raise _GiveUp from None

    return apply


def _unary(function: Any, operand: Closure) -> Closure:
    def apply(values: dict[str, Any]) -> Any:
        value = _checked(operand(values))
        try:
            return _checked(function(value))
        except _GiveUp:
            raise
        except Exception:  # e.g. `!` of a number: the interpreter's error to report
            raise _GiveUp from None

    return apply


def _variable(name: str) -> Closure:
    def read(values: dict[str, Any]) -> Any:
        try:
            return values[name]
        except KeyError:
            raise _GiveUp from None

    return read


def _field(target: Closure, name: str) -> Closure:
    def select(values: dict[str, Any]) -> Any:
        mapping = target(values)
        if not isinstance(mapping, celpy.celtypes.MapType):
            raise _GiveUp
        try:
            return mapping[celpy.celtypes.StringType(name)]
        except KeyError:
            raise _GiveUp from None

    return select


def estimated_cost(expression: str) -> int:
    """A static upper estimate of the nodes evaluating `expression` visits.

    Each node costs 1; a macro (`all`, `exists`, `map`, ...) costs its body
    times the size of the collection it walks, so nested macros multiply.
    Raises CelSyntaxError.
    """
    tree = compile_expression(expression)
    try:
        return _cost(tree)
    except RecursionError:  # an expression nested that deeply is too costly by any measure
        return sys.maxsize


def _cost(node: object) -> int:
    if not isinstance(node, lark.Tree):
        return 0
    if str(node.data) == "member_dot_arg":
        target, method, *args = node.children
        exprs = args[0].children if args and isinstance(args[0], lark.Tree) else []
        if str(method) in _BINDING_MACROS and len(exprs) == 2:
            return 1 + _cost(target) + _size(target) * (1 + _cost(exprs[1]))
    return 1 + sum(_cost(child) for child in node.children)


def _size(node: object) -> int:
    """The number of elements a collection expression has, or the assumed size."""
    while isinstance(node, lark.Tree) and len(node.children) == 1:
        if str(node.data) in ("list_lit", "map_lit"):
            break
        node = node.children[0]
    if not isinstance(node, lark.Tree):
        return ASSUMED_COLLECTION_SIZE
    kind = str(node.data)
    items = node.children[0] if node.children else None
    if kind == "list_lit":
        return len(items.children) if isinstance(items, lark.Tree) else 0
    if kind == "map_lit":
        return len(items.children) // 2 if isinstance(items, lark.Tree) else 0
    if kind == "member_dot_arg" and str(node.children[1]) in ("map", "filter"):
        return _size(node.children[0])
    if kind == "addition" and len(node.children) == 2:  # list + list
        left = node.children[0]
        left_operand = left.children[0] if isinstance(left, lark.Tree) else left
        return _size(left_operand) + _size(node.children[1])
    return ASSUMED_COLLECTION_SIZE


def references(expression: str) -> list[tuple[str, ...]]:
    """The dotted names the expression reads, e.g. ('data', 'modal_usaha').

    Function names and variables bound by macros (`list.all(x, ...)`) are
    left out; a name indexed with a literal string (`data["x"]`) counts as a
    dotted one. Raises CelSyntaxError.
    """
    found: list[tuple[str, ...]] = []
    _walk(compile_expression(expression), frozenset(), found)
    return found


def _walk(node: object, bound: frozenset[str], found: list[tuple[str, ...]]) -> None:
    if not isinstance(node, lark.Tree):
        return
    kind = str(node.data)
    if kind in ("member_dot", "member_index", "ident"):
        chain = _chain(node)
        if chain is not None:
            if chain[0] not in bound:
                found.append(chain)
            return
    if kind == "ident_arg":
        # A global function call: the first child is the function's name.
        for child in node.children[1:]:
            _walk(child, bound, found)
        return
    if kind == "member_dot_arg":
        target, method, *args = node.children
        _walk(target, bound, found)
        exprs = args[0].children if args and isinstance(args[0], lark.Tree) else []
        variable = _bare_ident(exprs[0]) if exprs else None
        if str(method) in _BINDING_MACROS and variable is not None and len(exprs) == 2:
            _walk(exprs[1], bound | {variable}, found)
        else:
            for expr in exprs:
                _walk(expr, bound, found)
        return
    for child in node.children:
        _walk(child, bound, found)


def _chain(node: lark.Tree[Any]) -> tuple[str, ...] | None:
    """The dotted name a member node spells, or None when it is not a plain name."""
    kind = str(node.data)
    children = node.children
    if kind in ("member", "primary") and len(children) == 1 and isinstance(children[0], lark.Tree):
        return _chain(children[0])
    if kind == "ident":
        return (str(children[0]),)
    if kind == "member_dot" and isinstance(children[0], lark.Tree):
        base = _chain(children[0])
        return None if base is None else (*base, str(children[1]))
    if kind == "member_index" and isinstance(children[0], lark.Tree):
        base = _chain(children[0])
        key = _string_literal(children[1])
        return None if base is None or key is None else (*base, key)
    return None


def _descend(node: object) -> object:
    """Follow single-child nodes down to the first one with several children or a token."""
    while isinstance(node, lark.Tree) and len(node.children) == 1:
        if str(node.data) in ("ident", "literal"):
            return node
        node = node.children[0]
    return node


def _bare_ident(node: object) -> str | None:
    leaf = _descend(node)
    if isinstance(leaf, lark.Tree) and str(leaf.data) == "ident":
        return str(leaf.children[0])
    return None


def _string_literal(node: object) -> str | None:
    leaf = _descend(node)
    if isinstance(leaf, lark.Tree) and str(leaf.data) == "literal":
        match = _SIMPLE_STRING.match(str(leaf.children[0]))
        if match:
            return match.group(1) if match.group(1) is not None else match.group(2)
    return None
