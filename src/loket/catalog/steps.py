"""Steps of a service: their shape, and the checks that need the whole procedure graph."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _

from loket.catalog.checker import Checker
from loket.catalog.stepkinds import StepKind, step_kind, step_kind_names
from loket.catalog.yamlsource import Where

# Each kind's own keys, checks and transitions live in its class
# (loket.catalog.stepkinds); this module checks what needs the whole graph.


def steps(check: Checker, value: Any) -> list[dict[str, Any]]:
    where: Where = ("steps",)
    result = [
        _step(check, (*where, i), raw)
        for i, raw in enumerate(check.sequence(where, value, min_items=1))
    ]
    seen: set[str] = set()
    for i, step in enumerate(result):
        if step["id"] is not None:
            if step["id"] in seen:
                check.error(
                    (*where, i, "id"), _("the step id %(id)r is used twice") % {"id": step["id"]}
                )
            seen.add(step["id"])
    return result


def _step(check: Checker, where: Where, value: Any) -> dict[str, Any]:
    raw_kind = value.get("kind") if isinstance(value, dict) else None
    kind = step_kind(raw_kind) if isinstance(raw_kind, str) else None
    optional, required = (kind.optional, kind.required) if kind else ((), ())
    if kind is None:
        # Without a valid kind we cannot tell which other keys belong; report the kind only.
        optional = tuple(value) if isinstance(value, dict) else ()
    item = (
        check.mapping(where, value, required=("id", "kind", "name", *required), optional=optional)
        or {}
    )
    if item and raw_kind is not None:
        check.one_of((*where, "kind"), raw_kind, step_kind_names())
    step: dict[str, Any] = {
        "id": check.slug((*where, "id"), item.get("id")) if item else None,
        "kind": kind.name if kind else None,
        "name": check.i18n((*where, "name"), item.get("name"), required=False),
    }
    if kind is not None:
        step.update(kind.parse(check, where, item))
    return step


# -- the procedure graph ------------------------------------------------------


def edges(step: dict[str, Any], where: Where) -> Iterator[tuple[Where, str | None]]:
    """(where written, target id) of every transition out of a step."""
    kind = step_kind(str(step["kind"]))
    return kind.edges(step, where) if kind else iter(())


def _kind(step: Mapping[str, Any]) -> StepKind | None:
    return step_kind(str(step["kind"])) if step["kind"] is not None else None


def check_graph(
    check: Checker,
    steps: list[dict[str, Any]],
    known_positions: set[str] | None,
    agency: str | None,
) -> None:
    """Targets, defaults for failed checks, reachability, paths to an end, parallel joins."""
    by_id = {s["id"]: s for s in steps if s["id"] is not None}
    where_of: dict[str, Where] = {
        s["id"]: ("steps", i) for i, s in enumerate(steps) if s["id"] is not None
    }
    for i, step in enumerate(steps):
        kind = _kind(step)
        if kind is not None:
            kind.settle(check, ("steps", i), step, steps, by_id)
    graph: dict[str, list[str]] = {step_id: [] for step_id in by_id}
    broken = False
    for i, step in enumerate(steps):
        for at, target in edges(step, ("steps", i)):
            if target is None:
                broken = True
            elif target not in by_id:
                check.error(at, _("there is no step %(id)r") % {"id": target})
                broken = True
            elif step["id"] is not None:
                graph[step["id"]].append(target)
        kind = _kind(step)
        position = step.get("position") if kind and kind.acts_by_position else None
        if known_positions is not None and position is not None and position not in known_positions:
            check.error(
                ("steps", i, "position"),
                _("agency %(agency)r has no position %(position)r")
                % {"agency": agency, "position": position},
            )
    if not steps or steps[0]["id"] is None:
        return
    first = _kind(steps[0])
    if first is not None and not first.may_start:
        check.error(
            ("steps", 0, "kind"),
            _("the first step (the start) cannot be a %(kind)s step") % {"kind": steps[0]["kind"]},
        )
    if broken:
        # Reachability over a graph with holes would report steps that are
        # only unreachable because of the problems already reported.
        return
    _check_reachability(check, steps[0]["id"], graph, by_id, where_of)
    _check_parallels(check, steps, graph, by_id, where_of)


def _reach(start: str, graph: dict[str, list[str]]) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for target in graph[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _check_reachability(
    check: Checker,
    start: str,
    graph: dict[str, list[str]],
    by_id: dict[str, Any],
    where_of: dict[str, Where],
) -> None:
    reachable = _reach(start, graph)
    reverse: dict[str, list[str]] = {step_id: [] for step_id in graph}
    for source, targets in graph.items():
        for target in targets:
            reverse[target].append(source)
    finishing: set[str] = set()
    for end in (s for s, step in by_id.items() if (kind := _kind(step)) and kind.closes_case):
        finishing |= _reach(end, reverse)
    for step_id, where in where_of.items():
        if step_id not in reachable:
            check.error(
                (*where, "id"), _("step %(id)r cannot be reached from the start") % {"id": step_id}
            )
        elif step_id not in finishing:
            check.error(
                (*where, "id"), _("step %(id)r has no path to an end step") % {"id": step_id}
            )


def _check_parallels(
    check: Checker,
    steps: list[dict[str, Any]],
    graph: dict[str, list[str]],
    by_id: dict[str, Any],
    where_of: dict[str, Where],
) -> None:
    joined_by: dict[str, str] = {}
    for i, step in enumerate(steps):
        if step["kind"] != "parallel":
            continue
        joins: set[str] = set()
        for j, branch in enumerate(step["branches"]):
            start = _kind(by_id[branch])
            if start is not None and not start.may_start:
                check.error(
                    ("steps", i, "branches", j),
                    _("a branch cannot start at a %(kind)s step") % {"kind": by_id[branch]["kind"]},
                )
                continue
            found = _joins_from(branch, step["id"], graph, by_id)
            if len(found) != 1:
                check.error(
                    ("steps", i, "branches", j),
                    _("branch %(id)r must lead to exactly one join step (found: %(found)s)")
                    % {"id": branch, "found": ", ".join(sorted(found)) or _("none")},
                )
            joins |= found
        if len(joins) > 1:
            check.error(("steps", i, "branches"), _("all branches must meet at the same join step"))
        elif len(joins) == 1:
            join = joins.pop()
            if step["join"] is not None and step["join"] != join:
                check.error(("steps", i, "join"), _("the branches meet at %(id)r") % {"id": join})
            if join in joined_by:
                check.error(
                    ("steps", i),
                    _("join step %(id)r already closes parallel step %(other)r")
                    % {"id": join, "other": joined_by[join]},
                )
            joined_by[join] = step["id"]
            step["join"] = join
    for step_id, step in by_id.items():
        if step["kind"] == "join" and step_id not in joined_by:
            check.error(
                (*where_of[step_id], "id"),
                _("join step %(id)r closes no parallel step") % {"id": step_id},
            )


def _joins_from(
    branch: str, parallel: str, graph: dict[str, list[str]], by_id: dict[str, Any]
) -> set[str]:
    """The join steps a branch can reach, not walking through joins or back into its parallel."""
    joins: set[str] = set()
    seen, queue = {branch}, deque([branch])
    while queue:
        current = queue.popleft()
        if by_id[current]["kind"] == "join":
            joins.add(current)
            continue
        for target in graph[current]:
            if target not in seen and target != parallel:
                seen.add(target)
                queue.append(target)
    return joins
