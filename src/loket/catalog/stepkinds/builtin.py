"""The built-in step kinds: auto, task, applicant, payment, issue, end, parallel, join."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from loket.catalog.checker import Checker
from loket.catalog.fields.numbers import format_rupiah
from loket.catalog.schema import FEE_ROOTS, STEP_ROOTS, deadline
from loket.catalog.stepkinds.base import (
    Route,
    StepKind,
    StepRunner,
    register,
    route_target,
)
from loket.catalog.yamlsource import Where

if TYPE_CHECKING:
    from loket.catalog.definitions import Step

OUTCOMES = ("approved", "rejected", "cancelled")
ON_FAIL = ("reject", "return")
# Regional levies (UU 1/2022): a charge for a service (retribusi) or a tax (pajak).
PAYMENT_KINDS = ("retribusi", "pajak")
BILLING_PREFIX = re.compile(r"[0-9]{0,8}")
CAPACITIES = ("definitive", "plt", "plh")


def _target(check: Checker, where: Where, value: Any) -> str | None:
    return None if value is None else check.slug(where, value)


def _next(check: Checker, where: Where, item: dict[str, Any]) -> str | None:
    return check.slug((*where, "next"), item.get("next"))


def _by_the_system() -> str:
    return _("The system, automatically")


@register
class Auto(StepKind):
    """Rules (CEL checks) run by the engine; `next` may route on conditions."""

    name = "auto"
    required = ("next",)
    optional = ("checks", "on_reject", "on_return")
    passes_through = True

    def parse(self, check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
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
                    # What the officer reads instead of the rule, e.g. "Modal usaha paling
                    # banyak Rp10 miliar" for `data.modal_usaha <= 10000000000`.
                    "label": check.i18n((*at, "label"), rule.get("label"), required=False),
                    "message": check.i18n((*at, "message"), rule.get("message"), required=False),
                    "on_fail": check.one_of(
                        (*at, "on_fail"), rule.get("on_fail", "reject"), ON_FAIL
                    ),
                }
            )
        return {
            "checks": checks,
            "next": _routes(check, (*where, "next"), item.get("next")),
            "on_reject": _target(check, (*where, "on_reject"), item.get("on_reject")),
            "on_return": _target(check, (*where, "on_return"), item.get("on_return")),
        }

    def edges(self, step: Mapping[str, Any], where: Where) -> Iterator[tuple[Where, str | None]]:
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

    def settle(
        self,
        check: Checker,
        where: Where,
        step: dict[str, Any],
        steps: list[dict[str, Any]],
        by_id: Mapping[str, Mapping[str, Any]],
    ) -> None:
        """A failed check goes to the first rejected end / applicant step unless named."""
        first_rejected = next(
            (s["id"] for s in steps if s["kind"] == "end" and s["outcome"] == "rejected"), None
        )
        first_applicant = next((s["id"] for s in steps if s["kind"] == "applicant"), None)
        on_fail = {c["on_fail"] for c in step["checks"]}
        for outcome, key, default, expected in (
            ("reject", "on_reject", first_rejected, "end"),
            ("return", "on_return", first_applicant, "applicant"),
        ):
            if step[key] is None:
                step[key] = default
                if outcome in on_fail and default is None:
                    check.error(
                        (*where, "checks"),
                        _("a check that fails with %(outcome)r needs a %(kind)s step to go to")
                        % {"outcome": outcome, "kind": expected},
                    )
            elif step[key] in by_id and by_id[step[key]]["kind"] != expected:
                check.error((*where, key), _("must name a %(kind)s step") % {"kind": expected})

    def enter(self, run: StepRunner, step: Step, branch: str, reason: str) -> list[Route]:
        return run.run_checks(step, branch)

    def who(self, step: Step, titles: Mapping[str, Mapping[str, str]], language: str) -> str:
        return _by_the_system()


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


@register
class Task(StepKind):
    """A person in a position decides: approve, reject or return, with a reason."""

    name = "task"
    required = ("position", "deadline", "actions")
    optional = ("capacities", "strategic")
    acts_by_position = True

    def parse(self, check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
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

    def edges(self, step: Mapping[str, Any], where: Where) -> Iterator[tuple[Where, str | None]]:
        for action, target in step["actions"].items():
            if target:
                yield (*where, "actions", action), target

    def enter(self, run: StepRunner, step: Step, branch: str, reason: str) -> list[Route]:
        run.open_task(step, branch)
        return []

    def who(self, step: Step, titles: Mapping[str, Mapping[str, str]], language: str) -> str:
        title = titles.get(step.get("position", ""), {})
        return title.get(language) or title.get("id") or str(step.get("position"))

    def usual_next(self, step: Mapping[str, Any]) -> str:
        return route_target((step.get("actions") or {}).get("approve"))


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


@register
class Applicant(StepKind):
    """Waiting for the applicant (fix what was returned); the service clock pauses.

    `on_lapse` names the end step a case goes to when the applicant lets the
    deadline pass; without it the case closes as withdrawn."""

    name = "applicant"
    required = ("next", "deadline")
    optional = ("on_lapse",)

    def parse(self, check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "next": _next(check, where, item),
            "deadline": deadline(check, (*where, "deadline"), item.get("deadline")),
            "on_lapse": _target(check, (*where, "on_lapse"), item.get("on_lapse")),
        }

    def edges(self, step: Mapping[str, Any], where: Where) -> Iterator[tuple[Where, str | None]]:
        yield (*where, "next"), step["next"]
        if step.get("on_lapse") is not None:
            yield (*where, "on_lapse"), step["on_lapse"]

    def enter(self, run: StepRunner, step: Step, branch: str, reason: str) -> list[Route]:
        run.wait_for_applicant(step, reason=reason)
        return []

    def who(self, step: Step, titles: Mapping[str, Mapping[str, str]], language: str) -> str:
        return _("You (the applicant)")

    def note(self, step: Step, language: str, *, in_words: Callable[[str], str]) -> str:
        return _("Only if the application is returned for revision; the clock stops meanwhile.")


@register
class Payment(StepKind):
    """A bill the applicant pays before the case goes on; the service clock stops meanwhile."""

    name = "payment"
    required = ("payment_kind", "amount", "deadline", "next", "on_expire")
    optional = ("assessment", "billing_prefix", "instructions")

    def parse(self, check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
        amount = (
            check.mapping((*where, "amount"), item.get("amount"), optional=("rupiah", "expression"))
            or {}
        )
        rupiah, expression = amount.get("rupiah"), amount.get("expression")
        if amount and (rupiah is None) == (expression is None):
            check.error((*where, "amount"), _("give exactly one of rupiah or expression (CEL)"))
        due = deadline(check, (*where, "deadline"), item.get("deadline"))
        if item.get("deadline") == {}:
            check.error(
                (*where, "deadline"), _("give exactly one of working_days or working_hours")
            )
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
            "next": _next(check, where, item),
            "on_expire": check.slug((*where, "on_expire"), item.get("on_expire")),
        }

    def edges(self, step: Mapping[str, Any], where: Where) -> Iterator[tuple[Where, str | None]]:
        yield (*where, "next"), step["next"]
        yield (*where, "on_expire"), step["on_expire"]

    def settle(
        self,
        check: Checker,
        where: Where,
        step: dict[str, Any],
        steps: list[dict[str, Any]],
        by_id: Mapping[str, Mapping[str, Any]],
    ) -> None:
        expire = str(step.get("on_expire"))
        if expire in by_id and by_id[expire]["kind"] != "end":
            check.error((*where, "on_expire"), _("must name an end step"))
        assessed_in = (step.get("assessment") or {}).get("assessed_in")
        if assessed_in is not None and (
            assessed_in not in by_id or by_id[assessed_in]["kind"] != "task"
        ):
            check.error(
                (*where, "assessment", "assessed_in"),
                _("%(id)r is not a task step") % {"id": assessed_in},
            )

    def enter(self, run: StepRunner, step: Step, branch: str, reason: str) -> list[Route]:
        return run.await_payment(step, branch)

    def who(self, step: Step, titles: Mapping[str, Mapping[str, str]], language: str) -> str:
        return _("You (the applicant)")

    def note(self, step: Step, language: str, *, in_words: Callable[[str], str]) -> str:
        """What the applicant pays, in words, and that the clock stops."""
        amount = step.get("amount") or {}
        if amount.get("rupiah") is not None:
            what = format_rupiah(int(amount["rupiah"]), language=language)
        else:
            what = in_words(str(amount.get("expression") or ""))
        kind = _("regional tax") if step.get("payment_kind") == "pajak" else _("regional charge")
        return _(
            "You pay a %(kind)s of %(amount)s within this time; the clock stops until it is "
            "paid, and an unpaid bill closes the application."
        ) % {"kind": kind, "amount": what}


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


@register
class Issue(StepKind):
    """Produce and sign the service's document (in the worker); the run rests meanwhile."""

    name = "issue"
    required = ("next",)
    issues_document = True

    def parse(self, check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
        return {"next": _next(check, where, item)}

    def edges(self, step: Mapping[str, Any], where: Where) -> Iterator[tuple[Where, str | None]]:
        yield (*where, "next"), step["next"]

    def enter(self, run: StepRunner, step: Step, branch: str, reason: str) -> list[Route]:
        return run.request_issue(step, branch)

    def who(self, step: Step, titles: Mapping[str, Mapping[str, str]], language: str) -> str:
        return _("The system, signed electronically")


@register
class End(StepKind):
    """The case closes with the step's outcome."""

    name = "end"
    required = ("outcome",)
    may_start = False
    closes_case = True

    def parse(self, check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
        return {"outcome": check.one_of((*where, "outcome"), item.get("outcome"), OUTCOMES)}

    def enter(self, run: StepRunner, step: Step, branch: str, reason: str) -> list[Route]:
        run.close(step.get("outcome") or "approved", reason=reason, step_id=step.id)
        return []

    def note(self, step: Step, language: str, *, in_words: Callable[[str], str]) -> str:
        if step.get("outcome") == "rejected":
            return _("Only if the application is rejected.")
        return ""

    def usual_next(self, step: Mapping[str, Any]) -> str:
        return ""


@register
class Parallel(StepKind):
    """Branches that run side by side (e.g. two positions at once) until their join."""

    name = "parallel"
    required = ("branches",)
    optional = ("join",)

    def parse(self, check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
        branches = [
            check.slug((*where, "branches", i), branch)
            for i, branch in enumerate(
                check.sequence((*where, "branches"), item.get("branches"), min_items=2)
            )
        ]
        return {"branches": branches, "join": _target(check, (*where, "join"), item.get("join"))}

    def edges(self, step: Mapping[str, Any], where: Where) -> Iterator[tuple[Where, str | None]]:
        for i, branch in enumerate(step["branches"]):
            yield (*where, "branches", i), branch

    def enter(self, run: StepRunner, step: Step, branch: str, reason: str) -> list[Route]:
        return run.fork(step, branch)

    def who(self, step: Step, titles: Mapping[str, Mapping[str, str]], language: str) -> str:
        return _by_the_system()

    def usual_next(self, step: Mapping[str, Any]) -> str:
        # The usual path shows the first branch; the others run beside it.
        branches = step.get("branches") or []
        return str(branches[0]) if branches else ""


@register
class Join(StepKind):
    """Where parallel branches meet; the case goes on when all have arrived."""

    name = "join"
    required = ("next",)
    may_start = False
    passes_through = True
    on_usual_path = False

    def parse(self, check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
        return {"next": _next(check, where, item)}

    def edges(self, step: Mapping[str, Any], where: Where) -> Iterator[tuple[Where, str | None]]:
        yield (*where, "next"), step["next"]

    def enter(self, run: StepRunner, step: Step, branch: str, reason: str) -> list[Route]:
        return run.join(step, branch)

    def who(self, step: Step, titles: Mapping[str, Mapping[str, str]], language: str) -> str:
        return _by_the_system()
