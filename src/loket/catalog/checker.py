"""Building blocks for checking a parsed definition: typed values, each problem with its line."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from loket.catalog import cel
from loket.catalog.errors import DefinitionError
from loket.catalog.yamlsource import SourceDocument, Where

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
# Names used inside CEL (data fields, documents, tables, outputs) must be CEL identifiers.
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
CEL_RESERVED = frozenset(
    {
        "as", "break", "const", "continue", "else", "false", "for", "function", "if",
        "import", "in", "let", "loop", "package", "namespace", "null", "return", "true",
        "var", "void", "while",
    }
)  # fmt: skip
LANGUAGES = ("id", "en")
_LANGUAGE_NAMES = {"id": "Indonesian", "en": "English"}


def display(where: Where) -> str:
    """`steps[2].actions.approve` for ('steps', 2, 'actions', 'approve')."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True)
class ExpressionUse:
    """A CEL expression found in the definition and the names it may use there."""

    where: Where
    text: str
    roots: frozenset[str]
    # For decision tables: the tables declared before this one (None = all tables).
    tables_before: frozenset[str] | None = None


class Checker:
    """Collects every problem of one document instead of stopping at the first."""

    def __init__(self, source: SourceDocument):
        self.source = source
        self.errors: list[DefinitionError] = []
        self.expressions: list[ExpressionUse] = []

    def error(self, where: Where, message: str) -> None:
        text = f"{display(where)}: {message}" if where else message
        self.errors.append(DefinitionError(self.source.path, self.source.line(where), text))

    # -- containers -----------------------------------------------------------

    def mapping(
        self,
        where: Where,
        value: Any,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
    ) -> dict[str, Any] | None:
        """The mapping at `where`, reporting unknown and missing keys (null counts as missing)."""
        if not isinstance(value, dict):
            self.error(where, _("must be a mapping of keys to values"))
            return None
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                self.error(
                    (*where, key),
                    _("unknown key; expected one of: %(keys)s")
                    % {"keys": ", ".join(sorted(allowed))},
                )
        for key in required:
            if value.get(key) is None:
                self.error((*where, key), _("is required"))
        return value

    def sequence(self, where: Where, value: Any, *, min_items: int = 0) -> list[Any]:
        """The list at `where` (empty when missing or not a list)."""
        if value is None:
            value = []
        if not isinstance(value, list):
            self.error(where, _("must be a list"))
            return []
        if len(value) < min_items:
            self.error(where, _("must have at least %(n)d item(s)") % {"n": min_items})
        return value

    # -- scalars ----------------------------------------------------------------

    def text(
        self, where: Where, value: Any, *, max_length: int | None = None, required: bool = True
    ) -> str | None:
        if value is None:
            if required:
                self.error(where, _("is required"))
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(where, _("must be non-empty text"))
            return None
        if max_length is not None and len(value) > max_length:
            self.error(where, _("must be at most %(n)d characters") % {"n": max_length})
            return None
        return value.strip()

    def slug(self, where: Where, value: Any, *, max_length: int = 64) -> str | None:
        text = self.text(where, value, max_length=max_length)
        if text is not None and not SLUG.match(text):
            self.error(
                where,
                _("%(value)r must be lower-case letters and digits joined by - or _")
                % {"value": text},
            )
            return None
        return text

    def identifier(self, where: Where, value: Any) -> str | None:
        """A name that rules refer to (`data.<name>`): a CEL identifier."""
        text = self.text(where, value, max_length=64)
        if text is None:
            return None
        if not IDENTIFIER.match(text) or text in CEL_RESERVED:
            self.error(
                where,
                _(
                    "%(value)r must start with a lower-case letter and contain only lower-case "
                    "letters, digits and _ (and not be a CEL keyword)"
                )
                % {"value": text},
            )
            return None
        return text

    def integer(
        self, where: Where, value: Any, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, _("must be a whole number"))
            return None
        whole: int | None = self._in_range(where, value, minimum, maximum)
        return whole

    def number(
        self, where: Where, value: Any, *, minimum: float | None = None
    ) -> int | float | None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.error(where, _("must be a number"))
            return None
        number: int | float | None = self._in_range(where, value, minimum, None)
        return number

    def _in_range(self, where: Where, value: Any, minimum: Any, maximum: Any) -> Any:
        if minimum is not None and value < minimum:
            self.error(where, _("must be at least %(n)s") % {"n": minimum})
            return None
        if maximum is not None and value > maximum:
            self.error(where, _("must be at most %(n)s") % {"n": maximum})
            return None
        return value

    def boolean(self, where: Where, value: Any, *, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(where, _("must be true or false"))
            return default
        return value

    def one_of(self, where: Where, value: Any, options: Iterable[str]) -> str | None:
        options = tuple(options)
        if value is None:
            self.error(where, _("is required"))
            return None
        if value not in options:
            self.error(
                where,
                _("%(value)r is not one of: %(options)s")
                % {"value": value, "options": ", ".join(options)},
            )
            return None
        return str(value)

    def i18n(
        self, where: Where, value: Any, *, required: bool = True, max_length: int | None = None
    ) -> dict[str, str] | None:
        """A text in both languages: {id: ..., en: ...}."""
        if value is None:
            if required:
                self.error(where, _("is required, in Indonesian (id) and English (en)"))
            return None
        if not isinstance(value, dict):
            self.error(where, _("must give the text in Indonesian and English: {id: ..., en: ...}"))
            return None
        mapping = self.mapping(where, value, optional=LANGUAGES)
        if mapping is None:
            return None
        texts: dict[str, str] = {}
        for language in LANGUAGES:
            if mapping.get(language) is None:
                self.error(
                    where,
                    _("the %(language)s text (%(code)s) is missing")
                    % {"language": _LANGUAGE_NAMES[language], "code": language},
                )
                continue
            text = self.text((*where, language), mapping[language], max_length=max_length)
            if text is not None:
                texts[language] = text
        return texts if len(texts) == len(LANGUAGES) else None

    def expression(
        self,
        where: Where,
        value: Any,
        roots: Iterable[str],
        *,
        tables_before: frozenset[str] | None = None,
    ) -> str | None:
        """A CEL expression: syntax now, names once every declaration is known."""
        if isinstance(value, bool):
            # YAML reads `when: true` as a boolean; it is the CEL literal too.
            value = "true" if value else "false"
        text = self.text(where, value)
        if text is None:
            return None
        try:
            cel.compile_expression(text)
        except cel.CelSyntaxError as exc:
            self.error(
                where,
                _("invalid CEL expression %(expr)r: syntax error at line %(line)d, column %(col)d")
                % {"expr": text, "line": exc.line, "col": exc.column},
            )
            return None
        cost, budget = cel.estimated_cost(text), cel.cost_budget()
        if cost > budget:
            # Evaluated on every submission, under the case's lock: refuse it here rather
            # than let it stop (or slow) every application at run time.
            self.error(
                where,
                _(
                    "the CEL expression %(expr)r is too costly to evaluate: about %(cost)s "
                    "steps, the budget is %(budget)s (nested macros such as all/map multiply)"
                )
                % {"expr": text[:200], "cost": cost, "budget": budget},
            )
            return None
        self.expressions.append(ExpressionUse(where, text, frozenset(roots), tables_before))
        return text
