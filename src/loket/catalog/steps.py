"""Steps of a service: their shape, and the checks that need the whole procedure graph."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from loket.catalog.checker import Checker
from loket.catalog.schema import FEE_ROOTS, STEP_ROOTS, deadline
from loket.catalog.yamlsource import Where

STEP_KINDS = ("auto", "task", "applicant", "payment", "issue", "end", "parallel", "join")
OUTCOMES = ("approved", "rejected", "cancelled")
ON_FAIL = ("reject", "return")
# Regional levies (UU 1/2022): a charge for a service (retribusi) or a tax (pajak).
PAYMENT_KINDS = ("retribusi", "pajak")
BILLING_PREFIX = re.compile(r"[0-9]{0,8}")
CAPACITIES = ("definitive", "plt", "plh")
_KIND_KEYS = {
    "auto": (("checks", "on_reject", "on_return"), ("next",)),
    "task": (("capacities", "strategic"), ("position", "deadline", "actions")),
    "applicant": (("on_lapse",), ("next", "deadline")),
    "payment": (
        ("assessment", "billing_prefix", "instructions"),
        ("payment_kind", "amount", "deadline", "next", "on_expire"),
    ),
    "issue": ((), ("next",)),
    "end": ((), ("outcome",)),
    "parallel": (("join",), ("branches",)),
    "join": ((), ("next",)),
}


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
    kind = raw_kind if isinstance(raw_kind, str) and raw_kind in _KIND_KEYS else None
    optional, required = _KIND_KEYS.get(kind or "", ((), ()))
    if kind is None:
        # Without a valid kind we cannot tell which other keys belong; report the kind only.
        optional = tuple(value) if isinstance(value, dict) else ()
    item = (
        check.mapping(where, value, required=("id", "kind", "name", *required), optional=optional)
        or {}
    )
    if item and raw_kind is not None:
        check.one_of((*where, "kind"), raw_kind, STEP_KINDS)
    step: dict[str, Any] = {
        "id": check.slug((*where, "id"), item.get("id")) if item else None,
        "kind": kind,
        "name": check.i18n((*where, "name"), item.get("name"), required=False),
    }
    if kind is not None:
        step.update(_KIND_PARSERS[kind](check, where, item))
    return step


def _target(check: Checker, where: Where, value: Any) -> str | None:
    return None if value is None else check.slug(where, value)


def _auto(check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
    checks = []
    for i, raw in enumerate(check.sequence((*where, "checks"), item.get("checks"))):
        at = (*where, "checks", i)
        rule = (
            check.mapping(at, raw, required=("rule", "message"), optional=("on_fail", "label"))
            or {}
        )
        checks.append(
            {
                "rule": check.expression((*at, "rule"), rule.get("rule"), STEP_ROOTS)
                if rule
                else None,
                # What the officer reads instead of the rule, e.g. "Modal usaha paling banyak
                # Rp10 miliar" for `data.modal_usaha <= 10000000000`.
                "label": check.i18n((*at, "label"), rule.get("label"), required=False),
                "message": check.i18n((*at, "message"), rule.get("message"), required=False),
                "on_fail": check.one_of((*at, "on_fail"), rule.get("on_fail", "reject"), ON_FAIL),
            }
        )
    return {
        "checks": checks,
        "next": _routes(check, (*where, "next"), item.get("next")),
        "on_reject": _target(check, (*where, "on_reject"), item.get("on_reject")),
        "on_return": _target(check, (*where, "on_return"), item.get("on_return")),
    }


def _routes(check: Checker, where: Where, value: Any) -> list[dict[str, Any]]:
    """`next` of an auto step: a step id, or conditional routes ending in an optional default."""
    if value is None:
        return []
    if isinstance(value, str):
        return [{"when": None, "to": check.slug(where, value)}]
    routes = []
    raw_routes = check.sequence(where, value, min_items=1)
    for i, raw in enumerate(raw_routes):
        route = check.mapping((*where, i), raw, required=("to",), optional=("when",)) or {}
        when = route.get("when")
        if route and when is None and i != len(raw_routes) - 1:
            check.error((*where, i), _("only the last route may leave out 'when' (the default)"))
        routes.append(
            {
                "when": None
                if when is None
                else check.expression((*where, i, "when"), when, STEP_ROOTS),
                "to": check.slug((*where, i, "to"), route.get("to")) if route else None,
            }
        )
    return routes


def _task(check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
    actions = (
        check.mapping(
            (*where, "actions"),
            item.get("actions"),
            required=("approve",),
            optional=("reject", "return"),
        )
        or {}
    )
    return {
        "position": check.slug((*where, "position"), item.get("position")),
        **_capacities(check, where, item),
        "deadline": deadline(check, (*where, "deadline"), item.get("deadline")),
        "actions": {
            action: _target(check, (*where, "actions", action), actions.get(action))
            for action in ("approve", "reject", "return")
        },
    }


def _capacities(check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
    """Who may decide: `capacities` (default all three) or `strategic: true`.

    A Plt/Plh may not take strategic decisions that change a legal status in
    organisation, staffing or budget (UU 30/2014 Pasal 14(7); SE BKN 1/SE/I/2021):
    such a step is for the definitive holder only.
    """
    strategic = check.boolean((*where, "strategic"), item.get("strategic"), default=False)
    raw = item.get("capacities")
    capacities = list(CAPACITIES)
    if raw is not None:
        capacities = []
        for i, value in enumerate(check.sequence((*where, "capacities"), raw, min_items=1)):
            capacity = check.one_of((*where, "capacities", i), value, CAPACITIES)
            if capacity is not None and capacity not in capacities:
                capacities.append(capacity)
    if strategic and any(c != "definitive" for c in capacities):
        if raw is not None:
            check.error(
                (*where, "capacities"),
                _("a strategic step is for the definitive holder only; leave out plt and plh"),
            )
        capacities = ["definitive"]
    return {"capacities": capacities, "strategic": bool(strategic)}


def _applicant(check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
    """`on_lapse` names the end step a case goes to when the applicant lets the
    deadline pass; without it the case closes as withdrawn."""
    return {
        "next": check.slug((*where, "next"), item.get("next")),
        "deadline": deadline(check, (*where, "deadline"), item.get("deadline")),
        "on_lapse": _target(check, (*where, "on_lapse"), item.get("on_lapse")),
    }


def _payment(check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
    """A bill the applicant pays before the case goes on; the service clock stops meanwhile."""
    amount = (
        check.mapping((*where, "amount"), item.get("amount"), optional=("rupiah", "expression"))
        or {}
    )
    rupiah, expression = amount.get("rupiah"), amount.get("expression")
    if amount and (rupiah is None) == (expression is None):
        check.error((*where, "amount"), _("give exactly one of rupiah or expression (CEL)"))
    due = deadline(check, (*where, "deadline"), item.get("deadline"))
    if item.get("deadline") == {}:
        check.error((*where, "deadline"), _("give exactly one of working_days or working_hours"))
    prefix = item.get("billing_prefix", "")
    if not isinstance(prefix, str) or not BILLING_PREFIX.fullmatch(prefix):
        check.error((*where, "billing_prefix"), _("must be up to 8 digits, written in quotes"))
        prefix = ""
    return {
        "payment_kind": check.one_of(
            (*where, "payment_kind"), item.get("payment_kind"), PAYMENT_KINDS
        ),
        "amount": {
            "rupiah": None
            if rupiah is None
            else check.integer((*where, "amount", "rupiah"), rupiah, minimum=1),
            "expression": None
            if expression is None
            else check.expression((*where, "amount", "expression"), expression, FEE_ROOTS),
        },
        "assessment": _assessment(check, (*where, "assessment"), item.get("assessment")),
        "billing_prefix": prefix,
        # How to pay (banks, channels), shown with the bill on the tracking page.
        "instructions": check.i18n(
            (*where, "instructions"), item.get("instructions"), required=False
        ),
        "deadline": due,
        "next": check.slug((*where, "next"), item.get("next")),
        "on_expire": check.slug((*where, "on_expire"), item.get("on_expire")),
    }


def _assessment(check: Checker, where: Where, value: Any) -> dict[str, Any] | None:
    """The decree that fixes the amount owed (e.g. an SKPD for a regional tax), numbered."""
    if value is None:
        return None
    item = (
        check.mapping(
            where, value, required=("document_type", "number_pattern"), optional=("assessed_in",)
        )
        or {}
    )
    assessed_in = item.get("assessed_in")
    pattern = (
        check.text((*where, "number_pattern"), item.get("number_pattern"), max_length=120)
        if item
        else None
    )
    if pattern is not None and "{seq}" not in pattern:
        check.error((*where, "number_pattern"), _("must contain {seq}"))
    return {
        "document_type": check.i18n((*where, "document_type"), item.get("document_type"))
        if item
        else None,
        "number_pattern": pattern,
        # The task step whose approval fixes the amount (the assessing officer's review).
        "assessed_in": None
        if assessed_in is None
        else check.slug((*where, "assessed_in"), assessed_in),
    }


def _next_only(check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
    return {"next": check.slug((*where, "next"), item.get("next"))}


def _end(check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
    return {"outcome": check.one_of((*where, "outcome"), item.get("outcome"), OUTCOMES)}


def _parallel(check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
    branches = [
        check.slug((*where, "branches", i), branch)
        for i, branch in enumerate(
            check.sequence((*where, "branches"), item.get("branches"), min_items=2)
        )
    ]
    return {"branches": branches, "join": _target(check, (*where, "join"), item.get("join"))}


_KIND_PARSERS = {
    "auto": _auto,
    "task": _task,
    "applicant": _applicant,
    "payment": _payment,
    "issue": _next_only,
    "end": _end,
    "parallel": _parallel,
    "join": _next_only,
}


# -- the procedure graph ------------------------------------------------------


def edges(step: dict[str, Any], where: Where) -> Iterator[tuple[Where, str]]:
    """(where written, target id) of every transition out of a step."""
    kind = step["kind"]
    if kind == "auto":
        for i, route in enumerate(step["next"]):
            yield (
                (*where, "next", i, "to") if route["when"] is not None or i else (*where, "next"),
                route["to"],
            )
        on_fail = {c["on_fail"] for c in step["checks"]}
        if "reject" in on_fail and step["on_reject"]:
            yield (*where, "on_reject"), step["on_reject"]
        if "return" in on_fail and step["on_return"]:
            yield (*where, "on_return"), step["on_return"]
    elif kind == "task":
        for action, target in step["actions"].items():
            if target:
                yield (*where, "actions", action), target
    elif kind == "parallel":
        for i, branch in enumerate(step["branches"]):
            yield (*where, "branches", i), branch
    elif kind in ("applicant", "issue", "join"):
        yield (*where, "next"), step["next"]
        if kind == "applicant" and step.get("on_lapse") is not None:
            yield (*where, "on_lapse"), step["on_lapse"]
    elif kind == "payment":
        yield (*where, "next"), step["next"]
        yield (*where, "on_expire"), step["on_expire"]


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
    _fill_failure_targets(check, steps, by_id)
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
        if step["kind"] == "payment":
            _check_payment_targets(check, i, step, by_id)
        position = step.get("position") if step["kind"] == "task" else None
        if known_positions is not None and position is not None and position not in known_positions:
            check.error(
                ("steps", i, "position"),
                _("agency %(agency)r has no position %(position)r")
                % {"agency": agency, "position": position},
            )
    if not steps or steps[0]["id"] is None:
        return
    if steps[0]["kind"] in ("end", "join"):
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


def _check_payment_targets(
    check: Checker, i: int, step: dict[str, Any], by_id: dict[str, Any]
) -> None:
    expire = step.get("on_expire")
    if expire in by_id and by_id[expire]["kind"] != "end":
        check.error(("steps", i, "on_expire"), _("must name an end step"))
    assessed_in = (step.get("assessment") or {}).get("assessed_in")
    if assessed_in is not None and (
        assessed_in not in by_id or by_id[assessed_in]["kind"] != "task"
    ):
        check.error(
            ("steps", i, "assessment", "assessed_in"),
            _("%(id)r is not a task step") % {"id": assessed_in},
        )


def _fill_failure_targets(
    check: Checker, steps: list[dict[str, Any]], by_id: dict[str, Any]
) -> None:
    """A failed automatic check goes to the first rejected end / applicant step unless named."""
    first_rejected = next(
        (s["id"] for s in steps if s["kind"] == "end" and s["outcome"] == "rejected"), None
    )
    first_applicant = next((s["id"] for s in steps if s["kind"] == "applicant"), None)
    for i, step in enumerate(steps):
        if step["kind"] != "auto":
            continue
        on_fail = {c["on_fail"] for c in step["checks"]}
        for outcome, key, default, expected in (
            ("reject", "on_reject", first_rejected, "end"),
            ("return", "on_return", first_applicant, "applicant"),
        ):
            if step[key] is None:
                step[key] = default
                if outcome in on_fail and default is None:
                    check.error(
                        ("steps", i, "checks"),
                        _("a check that fails with %(outcome)r needs a %(kind)s step to go to")
                        % {"outcome": outcome, "kind": expected},
                    )
            elif step[key] in by_id and by_id[step[key]]["kind"] != expected:
                check.error(
                    ("steps", i, key),
                    _("must name a %(kind)s step") % {"kind": expected},
                )


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
    for end in (s for s, step in by_id.items() if step["kind"] == "end"):
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
            if by_id[branch]["kind"] in ("end", "join"):
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
