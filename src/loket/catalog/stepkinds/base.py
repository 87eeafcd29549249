"""Step kinds: one registered class per `steps[].kind`.

A step kind owns everything that differs between kinds: the keys a definition
may give the step and how the loader checks them (`parse`), the transitions
out of it for the procedure graph (`edges`, `settle`), what the engine does
when a case enters it (`enter`, through the `StepRunner` the engine passes in)
and how the service standard page and the tracking page show it (`who`,
`note`, `usual_next`). Nothing else switches on the kind name: adding a kind
is writing one class and decorating it with `@register` (like the field types
of `loket.catalog.fields`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from loket.catalog.checker import Checker
from loket.catalog.yamlsource import Where

if TYPE_CHECKING:
    from loket.catalog.definitions import Step

# A place the engine goes next: (step id, parallel branch).
Route = tuple[str, str]


class StepRunner(Protocol):
    """What the case engine (`loket.cases.flow.Run`) offers a step kind.

    The catalog cannot import the engine (it sits below it); the engine passes
    itself in, and each kind calls the primitives it is made of.
    """

    def run_checks(self, step: Step, branch: str) -> list[Route]: ...

    def open_task(self, step: Step, branch: str) -> Any: ...

    def wait_for_applicant(self, step: Step, *, reason: str = "") -> None: ...

    def await_payment(self, step: Step, branch: str) -> list[Route]: ...

    def fork(self, step: Step, branch: str) -> list[Route]: ...

    def join(self, step: Step, branch: str) -> list[Route]: ...

    def request_issue(self, step: Step, branch: str) -> list[Route]: ...

    def close(
        self, outcome: str, *, reason: str = "", step_id: str = "", notify: bool = True
    ) -> None: ...


class StepKind:
    """The behaviour of one kind of step. Subclasses are stateless singletons."""

    name: ClassVar[str]
    # Keys of a `steps[]` entry besides id, kind and name.
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    # May a procedure (or a parallel branch) begin here?
    may_start: ClassVar[bool] = True
    # Ends the case (an `end` step): the engine closes with the step's outcome.
    closes_case: ClassVar[bool] = False
    # Passed through in the approving transaction, no person deciding (signing.py
    # looks through these for the issue step an approval leads to).
    passes_through: ClassVar[bool] = False
    # Produces and signs the service's document.
    issues_document: ClassVar[bool] = False
    # Decided by the holder of `position` (the loader checks the agency has it).
    acts_by_position: ClassVar[bool] = False
    # Shown on the applicant's usual path (joins are bookkeeping).
    on_usual_path: ClassVar[bool] = True

    # -- the loader --------------------------------------------------------------

    def parse(self, check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
        """The step's own keys, normalized (defaults filled); errors go to `check`."""
        return {}

    def edges(self, step: Mapping[str, Any], where: Where) -> Iterator[tuple[Where, str | None]]:
        """(where written, target id) of every transition out of the normalized step."""
        return iter(())

    def settle(
        self,
        check: Checker,
        where: Where,
        step: dict[str, Any],
        steps: list[dict[str, Any]],
        by_id: Mapping[str, Mapping[str, Any]],
    ) -> None:
        """Checks (and defaults) that need the other steps: targets of the right kind."""

    # -- the engine ----------------------------------------------------------------

    def enter(self, run: StepRunner, step: Step, branch: str, reason: str) -> list[Route]:
        """A case arrives at the step; returns where the run goes on (nothing: it rests)."""
        raise NotImplementedError

    # -- display ---------------------------------------------------------------------

    def who(self, step: Step, titles: Mapping[str, Mapping[str, str]], language: str) -> str:
        """Who acts at the step, for the service standard page (a position, never a person)."""
        return ""

    def note(self, step: Step, language: str, *, in_words: Callable[[str], str]) -> str:
        """When or how the step applies, in a sentence (`in_words` reads a CEL rule)."""
        return ""

    def usual_next(self, step: Mapping[str, Any]) -> str:
        """The step an application usually goes to next (every decision approving)."""
        return route_target(step.get("next"))


def route_target(route: Any) -> str:
    """A step id from `next`/an action: a name, or conditional routes (the unconditional
    one, else the first, is the usual way)."""
    if isinstance(route, str):
        return route
    if isinstance(route, list) and route:
        plain = [r for r in route if isinstance(r, dict) and not r.get("when")]
        chosen = (plain or route)[0]
        return str(chosen.get("to") or "") if isinstance(chosen, dict) else str(chosen)
    if isinstance(route, dict):
        return str(route.get("to") or "")
    return ""


_REGISTRY: dict[str, StepKind] = {}

K = TypeVar("K", bound=type[StepKind])


def register(cls: K) -> K:
    """Class decorator: make `cls` the step kind for `kind: <cls.name>`."""
    if cls.name in _REGISTRY:
        raise ValueError(f"step kind {cls.name!r} is registered twice")
    _REGISTRY[cls.name] = cls()
    return cls


def unregister(name: str) -> None:
    """Remove a kind (tests registering an example kind clean up with it)."""
    _REGISTRY.pop(name, None)


def step_kind(name: str) -> StepKind | None:
    return _REGISTRY.get(name)


def step_kind_names() -> tuple[str, ...]:
    return tuple(_REGISTRY)
