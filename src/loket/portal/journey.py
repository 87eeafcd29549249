"""The service's steps as the applicant walks them: done, where the case is now, what comes next.

Like GOV.UK's step-by-step pattern: every step of the usual path is listed (the
ones that only happen on a return or a rejection are left out unless the case is
there), the current one is marked, and the next one says who acts and how long
it may take. Nothing here decides anything; it reads the definition and the case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from loket.cases.models import Case, CaseStatus
from loket.catalog.definitions import ServiceDefinition
from loket.catalog.fields import localized
from loket.catalog.stepkinds import route_target
from loket.portal import presenters

# done | current | upcoming | not_reached (a closed case never got there)
STATES = ("done", "current", "upcoming", "not_reached")


@dataclass(frozen=True)
class JourneyStep:
    id: str
    name: str
    who: str
    time: str
    state: str
    branches: list[str] = field(default_factory=list)  # parallel reviews, by name

    @property
    def is_current(self) -> bool:
        return self.state == "current"

    @property
    def state_label(self) -> str:
        return state_label(self.state)


@dataclass(frozen=True)
class Journey:
    steps: list[JourneyStep]
    next_step: JourneyStep | None  # the first step after the current one

    @property
    def current(self) -> list[JourneyStep]:
        return [step for step in self.steps if step.is_current]


def usual_path(definition: ServiceDefinition) -> list[Mapping[str, Any]]:
    """The steps an application passes when every decision approves, in order.

    Joins are bookkeeping and left out; a parallel step stands for its branches.
    """
    path: list[Mapping[str, Any]] = []
    seen: set[str] = set()
    step: Mapping[str, Any] | None = definition.first_step
    while step is not None and step["id"] not in seen:
        seen.add(step["id"])
        kind = definition.step(step["id"]).step_kind
        if kind.on_usual_path:
            path.append(step)
        if kind.closes_case:
            break
        step = _following(definition, step)
    return path


def _following(definition: ServiceDefinition, step: Mapping[str, Any]) -> Mapping[str, Any] | None:
    target = definition.step(step["id"]).step_kind.usual_next(step)
    return definition.step(target) if target and definition.has_step(target) else None


def journey(case: Case, definition: ServiceDefinition, language: str) -> Journey:
    described = {row["id"]: row for row in presenters.procedure(case.service, definition, language)}
    path = usual_path(definition)
    here = set(case.current_steps or [])
    positions = [index for index, step in enumerate(path) if here & _ids(step)]
    detour = [
        definition.step(step_id)
        for step_id in case.current_steps or []
        if definition.has_step(step_id) and not any(step_id in _ids(s) for s in path)
    ]
    if detour:
        # Waiting off the usual path (a revision): it sits before the step it leads back to.
        back_to = route_target(detour[0].get("next"))
        at = next((i for i, s in enumerate(path) if back_to in _ids(s)), len(path))
        path = [*path[:at], detour[0], *path[at:]]
        positions = [at]
    if positions:
        current = positions[0]
        states = ["done"] * current + ["current"] + ["upcoming"] * (len(path) - current - 1)
    else:
        states = _closed_states(case, path)
    steps = [
        _describe(step, state, described, definition, language)
        for step, state in zip(path, states, strict=True)
    ]
    following = next((s for s in steps if s.state == "upcoming"), None) if positions else None
    return Journey(steps=steps, next_step=following)


def _ids(step: Mapping[str, Any]) -> set[str]:
    return {step["id"], *(step.get("branches") or [])}


def _closed_states(case: Case, path: list[Mapping[str, Any]]) -> list[str]:
    if case.status == CaseStatus.APPROVED:
        return ["done"] * len(path)
    if not case.is_closed:
        # Between steps (e.g. issuing in the worker): all before the last are done.
        return ["done"] * (len(path) - 1) + ["upcoming"]
    reached = {event.step_id for event in case.events.all() if event.step_id}
    last = max((i for i, s in enumerate(path) if reached & _ids(s)), default=-1)
    return ["done"] * (last + 1) + ["not_reached"] * (len(path) - last - 1)


def _describe(
    step: Mapping[str, Any],
    state: str,
    described: dict[str, dict[str, str]],
    definition: ServiceDefinition,
    language: str,
) -> JourneyStep:
    row = described.get(step["id"], {})
    branches = [definition.step_name(b, language) for b in step.get("branches") or []]
    return JourneyStep(
        id=step["id"],
        name=localized(step.get("name"), language) or step["id"],
        who=row.get("who", ""),
        time=row.get("time", ""),
        state=state,
        branches=branches,
    )


def state_label(state: str) -> str:
    return {
        "done": _("Done"),
        "current": _("Now"),
        "upcoming": _("Still to come"),
        "not_reached": _("Not reached"),
    }[state]
