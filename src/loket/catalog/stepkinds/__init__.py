"""Step kinds of service definitions: the registry and the built-in kinds.

Public face: `register`, `StepKind`, `StepRunner`, `Route`, `step_kind(name)`,
`step_kind_names()`. See docs/service-definition.md ("Adding a step kind").
"""

from loket.catalog.stepkinds import builtin as _builtin  # noqa: F401  (registers the kinds)
from loket.catalog.stepkinds.base import (
    Route,
    StepKind,
    StepRunner,
    register,
    route_target,
    step_kind,
    step_kind_names,
    unregister,
)

__all__ = [
    "Route",
    "StepKind",
    "StepRunner",
    "register",
    "route_target",
    "step_kind",
    "step_kind_names",
    "unregister",
]
