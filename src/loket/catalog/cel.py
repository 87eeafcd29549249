"""CEL expressions: compiling them once, and finding the names they refer to.

Shared by the loader (syntax and name checks at validation time) and by
`rules` (evaluation at run time), so both see exactly the same grammar.
"""

from __future__ import annotations

import re
from functools import lru_cache

import celpy
import lark
from celpy.celparser import CELParseError

# One environment for the whole process: it only holds the parser and the
# standard annotations, and the interpreted runner keeps no state between
# evaluations.
_ENVIRONMENT = celpy.Environment()

# Macros whose first argument is a variable bound inside the second one.
_BINDING_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
_SIMPLE_STRING = re.compile(r"""^(?:'([^'\\]*)'|"([^"\\]*)")$""")


class CelSyntaxError(ValueError):
    """The text is not a CEL expression; `column` and `line` are 1-based within it."""

    def __init__(self, expression: str, line: int, column: int):
        super().__init__(f"syntax error at line {line}, column {column}")
        self.expression = expression
        self.line = line
        self.column = column


@lru_cache(maxsize=4096)
def compile_expression(expression: str) -> lark.Tree:
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


@lru_cache(maxsize=4096)
def program(expression: str) -> celpy.Runner:
    """A ready-to-run program for `expression`; raises CelSyntaxError. Cached by text."""
    return _ENVIRONMENT.program(compile_expression(expression))


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


def _chain(node: lark.Tree) -> tuple[str, ...] | None:
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
