"""Errors of the service catalogue: definitions that do not validate, rules that fail."""

from __future__ import annotations

from collections.abc import Iterator

from loket.core.errors import ValidationError


class DefinitionError(ValidationError):
    """One problem in a service definition file, at a line (1-based; 0 when unknown)."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}", code="definition_error")
        self.path = path
        self.line = line
        self.problem = message

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DefinitionError):
            return NotImplemented
        return (self.path, self.line, self.problem) == (other.path, other.line, other.problem)

    def __hash__(self) -> int:
        return hash((self.path, self.line, self.problem))

    def __repr__(self) -> str:
        return f"DefinitionError({self.path!r}, {self.line}, {self.problem!r})"


class DefinitionErrors(ValidationError):
    """Every problem found in one or more definitions; raised only when there is at least one."""

    def __init__(self, errors: list[DefinitionError]):
        self.errors = sorted(errors, key=lambda e: (e.path, e.line))
        super().__init__("\n".join(str(e) for e in self.errors), code="definition_errors")

    def __iter__(self) -> Iterator[DefinitionError]:
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)


class RuleError(ValidationError):
    """A CEL expression or decision table could not be evaluated for the given input."""

    def __init__(self, expression: str, reason: str):
        super().__init__(f"rule {expression!r} failed: {reason}", code="rule_error")
        self.expression = expression
        self.reason = reason
