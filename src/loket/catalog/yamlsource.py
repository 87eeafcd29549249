"""YAML with line numbers: plain Python values plus the line of every key and value.

We compose the node graph with PyYAML's safe loader and build the values
ourselves, recording `start_mark.line` of each mapping key and each value by
its path (a tuple of keys and list indexes), so every later check can point
at the line a problem is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from loket.catalog.errors import DefinitionError, DefinitionErrors

Where = tuple[str | int, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
# Real definitions nest about ten levels; far below where PyYAML's composer recursion crashes.
DEFAULT_MAX_DEPTH = 64


@dataclass
class SourceDocument:
    """A parsed definition: its data and where each part of it is written."""

    path: str
    data: Any
    value_lines: dict[Where, int] = field(default_factory=dict)
    key_lines: dict[Where, int] = field(default_factory=dict)

    def line(self, where: Where) -> int:
        """The line of the key (or value) at `where`, or of the nearest enclosing one."""
        while True:
            if where in self.key_lines:
                return self.key_lines[where]
            if where in self.value_lines:
                return self.value_lines[where]
            if not where:
                return 1 if self.value_lines else 0
            where = where[:-1]


def decode(source: str | bytes, path: str) -> str:
    """The text of a definition; bytes must be UTF-8 (a BOM is allowed)."""
    if isinstance(source, str):
        return source
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = source[: exc.start].count(b"\n") + 1
        raise DefinitionErrors(
            [DefinitionError(path, line, _("the file is not valid UTF-8 text"))]
        ) from None


def parse(source: str | bytes, path: str = "<string>") -> SourceDocument:
    """Parse one YAML document keeping line numbers; raises DefinitionErrors."""
    text = decode(source, path)
    try:
        _check_depth(text, path)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise DefinitionErrors([_yaml_error(exc, text, path)]) from None
    except RecursionError:
        raise DefinitionErrors(
            [DefinitionError(path, 1, _("the YAML is nested too deeply"))]
        ) from None
    if root is None:
        raise DefinitionErrors([DefinitionError(path, 1, _("the file is empty"))])
    builder = _Builder(path)
    try:
        data = builder.convert(root, ())
    except RecursionError:
        raise DefinitionErrors(
            [DefinitionError(path, 1, _("the YAML is nested too deeply"))]
        ) from None
    if builder.has_aliases:
        # Aliases hide where a value is written and allow exponential "billion
        # laughs" documents; definitions are short enough to write values out.
        builder.errors.extend(
            DefinitionError(
                path, mark.line + 1, _("anchors and aliases (&name, *name) are not supported")
            )
            for mark in _alias_marks(text)
        )
    if builder.errors:
        raise DefinitionErrors(builder.errors)
    return SourceDocument(path, data, builder.value_lines, builder.key_lines)


def max_depth() -> int:
    return int(getattr(settings, "LOKET_DEFINITION_MAX_DEPTH", DEFAULT_MAX_DEPTH))


def _check_depth(text: str, path: str) -> None:
    """Refuse nesting deeper than the limit, reading events only.

    The composer (libyaml's too) recurses once per level and crashes the
    process around 30,000 levels; the event parser keeps its own stack, so
    the depth is known before anything recurses.
    """
    limit = max_depth()
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limit:
                line = event.start_mark.line + 1 if event.start_mark is not None else 1
                message = _("the YAML is nested more than %(limit)s levels deep") % {"limit": limit}
                raise DefinitionErrors([DefinitionError(path, line, message)])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _yaml_error(exc: yaml.YAMLError, text: str, path: str) -> DefinitionError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line = mark.line + 1
    elif isinstance(getattr(exc, "position", None), int):  # reader errors: bad characters
        line = text[: exc.position].count("\n") + 1  # type: ignore[attr-defined]
    else:
        line = 1
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{context}: {problem}" if context else str(problem)
    return DefinitionError(path, line, _("invalid YAML: %(problem)s") % {"problem": message})


# libyaml is several times faster; the pure-Python loader gives the same nodes.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _alias_marks(text: str) -> list[Any]:
    return [
        e.start_mark for e in yaml.parse(text, Loader=_Loader) if isinstance(e, yaml.AliasEvent)
    ]


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.errors: list[DefinitionError] = []
        self.value_lines: dict[Where, int] = {}
        self.key_lines: dict[Where, int] = {}
        self._seen: set[int] = set()
        self.has_aliases = False
        # Only used for its scalar constructors (int, float, bool, null, timestamps).
        self._constructor = yaml.SafeLoader("")

    def error(self, node: yaml.Node, message: str) -> None:
        self.errors.append(DefinitionError(self.path, node.start_mark.line + 1, message))

    def convert(self, node: yaml.Node, where: Where) -> Any:
        # An alias comes back from the composer as the same node object;
        # it is reported by parse(), and never expanded here.
        if id(node) in self._seen:
            self.has_aliases = True
            return None
        self._seen.add(id(node))
        self.value_lines[where] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, where)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*where, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # e.g. an unknown !tag, or a date such as 2025-13-45.
            self.error(node, _("invalid value: %(reason)s") % {"reason": exc})
            return None

    def _mapping(self, node: yaml.MappingNode, where: Where) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                self.error(key_node, _("merge keys (<<) are not supported"))
                continue
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "…"
                self.error(
                    key_node,
                    _("the key %(key)r must be text; put it in quotes") % {"key": shown},
                )
                continue
            if key in result:
                self.error(key_node, _("the key %(key)r appears twice") % {"key": key})
                self.convert(value_node, (*where, "\0duplicate", len(result)))
                continue
            self.key_lines[(*where, key)] = key_node.start_mark.line + 1
            result[key] = self.convert(value_node, (*where, key))
        return result
