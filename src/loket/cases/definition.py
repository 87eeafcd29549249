"""Reading a normalized service definition: steps, targets, deadlines, names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from loket.core.errors import LoketError
from loket.core.pii import mask


class DefinitionFault(LoketError):
    """The published definition cannot be run (a step or target is missing)."""

    status = 500
    title = "Service definition error"


def localized(value: Any, language: str) -> str:
    """A `{id: ..., en: ...}` text in the wanted language, falling back to Indonesian."""
    if isinstance(value, dict):
        return str(value.get(language) or value.get("id") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Definition:
    raw: dict[str, Any]

    @property
    def steps(self) -> list[dict[str, Any]]:
        return list(self.raw.get("steps") or [])

    def step(self, step_id: str) -> dict[str, Any]:
        for step in self.steps:
            if step.get("id") == step_id:
                return step
        raise DefinitionFault(f"the service definition has no step {step_id!r}")

    def has_step(self, step_id: str) -> bool:
        return any(step.get("id") == step_id for step in self.steps)

    @property
    def first_step(self) -> dict[str, Any]:
        if not self.steps:
            raise DefinitionFault("the service definition has no steps")
        return self.steps[0]

    def first_of_kind(self, kind: str, **match: Any) -> dict[str, Any] | None:
        for step in self.steps:
            if step.get("kind") == kind and all(step.get(k) == v for k, v in match.items()):
                return step
        return None

    def step_name(self, step_id: str, language: str = "id") -> str:
        if not self.has_step(step_id):
            return step_id
        return localized(self.step(step_id).get("name"), language) or step_id

    def actions(self, step_id: str) -> list[str]:
        """The decisions a task step offers (approve, return, reject), in written order."""
        return list((self.step(step_id).get("actions") or {}).keys())

    @property
    def data_fields(self) -> list[dict[str, Any]]:
        return list((self.raw.get("requirements") or {}).get("data") or [])

    def masked_data(self, data: dict[str, Any]) -> dict[str, Any]:
        """`data` with its NIK and phone fields masked, for readers other than officers
        working the case (event payloads, whoever holds the access code)."""
        personal = {f.get("name") for f in self.data_fields if f.get("type") in ("nik", "phone")}
        return {
            name: mask(str(value)) if name in personal and value else value
            for name, value in data.items()
        }

    @property
    def document_requirements(self) -> list[dict[str, Any]]:
        return list((self.raw.get("requirements") or {}).get("documents") or [])

    @property
    def segregation_pairs(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for pair in self.raw.get("segregation_of_duties") or []:
            if isinstance(pair, (list, tuple)) and len(pair) >= 2:
                pairs.extend((str(a), str(b)) for a in pair for b in pair if a != b)
            elif isinstance(pair, dict) and "steps" in pair:
                steps = [str(s) for s in pair["steps"]]
                pairs.extend((a, b) for a in steps for b in steps if a != b)
        return pairs

    @property
    def service_deadline(self) -> dict[str, Any]:
        return dict(self.raw.get("deadline") or {})

    @property
    def completeness_step(self) -> str | None:
        """The step whose approval (or pass) declares the application complete.

        Named by `deadline.counted_from`; otherwise the first automatic check; None
        when there is neither: the application is complete when submitted.
        """
        named = self.service_deadline.get("counted_from")
        if named:
            return str(named)
        first_auto = self.first_of_kind("auto")
        return str(first_auto["id"]) if first_auto else None

    def tracking_prefix(self, service_code: str) -> str:
        explicit = str(self.raw.get("tracking_prefix") or "").strip().upper()
        if re.fullmatch(r"[A-Z]{2,8}", explicit):
            return explicit
        initials = "".join(part[0] for part in re.split(r"[-_\s]+", service_code) if part)
        initials = re.sub(r"[^A-Za-z]", "", initials).upper()
        return (initials or "LK")[:6] if len(initials) >= 2 else (initials + "X")[:2]
