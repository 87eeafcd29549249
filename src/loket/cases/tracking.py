"""The tracking read model: what an applicant's tracking page and GET /applications/{n}
show, kept as JSON on the case row (docs/decisions/0023-read-models.md).

The engine writes it in the same transaction as the events it summarises (`Run.record`
calls `on_event`; storing uploads calls `on_uploads`), so reading a case's tracking view
costs no query beyond the case row itself. `rebuild` derives the same JSON from the
tables; it serves rows written before the read model existed and is what the tests
compare the incremental copy with.

Only public facts go in: public events (kind, step, action, reason, the acting position
and capacity, never the officer), the open request, the uploads' names and sizes, and
whether a bill or an issued document exists (those are read from their own apps, and
only then: a bill's status and a document's revocation change outside the engine).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from loket.cases.models import Case, CaseDocument, CaseEvent, Decision

VERSION = 1
# The attribute a changed read model sets on the case, so that `Run.finish` writes it
# even when the run started after the change (a submission stores its uploads first).
_DIRTY = "_tracking_changed"


def _empty() -> dict[str, Any]:
    return {
        "v": VERSION,
        "timeline": [],
        "request": None,
        "cause": None,
        "returned": None,
        "uploads": [],
        "billed": False,
        "issued": False,
    }


def _model(case: Case) -> dict[str, Any]:
    """The case's read model, started empty on a new case (which has no events yet)."""
    model: dict[str, Any] = case.tracking
    if model.get("v") != VERSION:
        # A case from before the read model is derived once from the tables.
        model = rebuild(case) if case.last_event_sequence > 1 else _empty()
        case.tracking = model
    return model


def _iso(moment: dt.datetime | None) -> str | None:
    # In UTC, so the same moment is written the same whether it came from memory or a row.
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None


def _changed(case: Case) -> None:
    setattr(case, _DIRTY, True)


def take_changed(case: Case) -> bool:
    """Whether the read model changed since the case was last saved (and forget it)."""
    changed = bool(getattr(case, _DIRTY, False))
    if changed:
        setattr(case, _DIRTY, False)
    return changed


# -- writing: called by the engine inside the operation's transaction -------------------


def on_event(case: Case, event: CaseEvent) -> None:
    """Fold one new event into the case's read model (no query)."""
    _apply(_model(case), event)
    _changed(case)


def _apply(model: dict[str, Any], event: CaseEvent) -> None:
    payload = event.payload or {}
    if event.kind in {"decided", "auto_step"}:
        # What sent the case back, if it goes back: the request reads it below.
        asked = payload.get("requested") or {}
        model["cause"] = {
            "kind": event.kind,
            "action": event.action,
            "documents": [str(n) for n in asked.get("documents") or []],
            "fields": [str(n) for n in asked.get("fields") or []],
        }
        if event.kind == "decided" and event.action == Decision.RETURN:
            model["returned"] = {"checklist": dict(payload.get("checklist") or {})}
    elif event.kind == "awaiting_applicant":
        cause = model.get("cause") or {}
        is_return = cause.get("kind") == "decided" and cause.get("action") == Decision.RETURN
        model["request"] = {
            "step": event.step_id,
            "reason": event.reason,
            "at": _iso(event.at),
            "respond_by": payload.get("respond_by"),
            "documents": list(cause.get("documents") or []) if is_return else [],
            "fields": list(cause.get("fields") or []) if is_return else [],
        }
    elif event.kind == "awaiting_payment":
        model["billed"] = True
    elif event.kind == "issued":
        model["issued"] = True
    if event.is_public:
        task = event.task
        model["timeline"].append(
            {
                "sequence": event.sequence,
                "at": _iso(event.at),
                "kind": event.kind,
                "step": event.step_id,
                "action": event.action,
                "reason": event.reason,
                "position": event.position_id,
                "capacity": event.capacity,
                "task_position": task.position_id if task is not None else None,
                "task_due": _iso(task.due_at) if task is not None else None,
            }
        )


def on_task_moved(case: Case, sequences: Iterable[int], position_id: int) -> None:
    """The task of the events numbered `sequences` belongs to another position than the
    one they were folded in with (no query)."""
    wanted = set(sequences)
    for entry in _model(case)["timeline"]:
        if entry["sequence"] in wanted:
            entry["task_position"] = position_id
    _changed(case)


def on_uploads(case: Case, documents: Iterable[CaseDocument]) -> None:
    """Note the applicant's stored uploads (no query)."""
    rows = [_upload(d) for d in documents]
    if not rows:
        return
    _model(case)["uploads"].extend(rows)
    _changed(case)


def _upload(document: CaseDocument) -> dict[str, Any]:
    return {
        "name": document.name,
        "revision": document.revision,
        "kind": document.kind,
        "size": document.size,
        "uploaded_at": _iso(document.uploaded_at),
    }


def note_complaint(case_id: int) -> None:
    """Remember that a complaint was filed about the case (one UPDATE, no lock needed)."""
    Case.objects.filter(pk=case_id, has_complaints=False).update(has_complaints=True)


def rebuild(case: Case) -> dict[str, Any]:
    """The read model derived from the tables (three queries)."""
    model = _empty()
    events = case.events.select_related("task").order_by("sequence")
    for event in events:
        _apply(model, event)
    model["uploads"] = [_upload(d) for d in case.documents.order_by("pk")]
    return model


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One public line of the history, with the attribute names of `CaseEvent`."""

    sequence: int
    at: dt.datetime
    kind: str
    step_id: str
    action: str
    reason: str
    position_id: int | None
    capacity: str
    task_position_id: int | None
    task_due: dt.datetime | None


@dataclass(frozen=True)
class Request:
    """What the applicant is asked to do now (the latest return)."""

    step_id: str
    reason: str
    at: dt.datetime
    respond_by: str | None  # as the event recorded it (ISO 8601)
    documents: tuple[str, ...]
    fields: tuple[str, ...]
    checklist: dict[str, dict[str, str]]

    @property
    def respond_by_at(self) -> dt.datetime | None:
        return _moment(self.respond_by)


@dataclass(frozen=True)
class Upload:
    name: str
    revision: int
    kind: str
    size: int
    uploaded_at: dt.datetime


@dataclass(frozen=True)
class View:
    timeline: list[Entry]
    request: Request | None
    uploads: list[Upload]  # by name, newest revision first
    has_bill: bool
    has_issued: bool
    position_ids: set[int] = field(default_factory=set)


def _moment(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def view(case: Case) -> View:
    """The case's tracking view from its row (queries only for a case from before the
    read model existed)."""
    model = case.tracking if case.tracking.get("v") == VERSION else rebuild(case)
    return view_of(model, submitted_at=case.submitted_at, waiting_step=case.waiting_step)


def view_of(model: dict[str, Any], *, submitted_at: dt.datetime, waiting_step: str) -> View:
    """The tracking view of a read model of this VERSION (no query)."""
    timeline = [
        Entry(
            sequence=int(row["sequence"]),
            at=_moment(row["at"]) or submitted_at,
            kind=row["kind"],
            step_id=row["step"],
            action=row["action"],
            reason=row["reason"],
            position_id=row["position"],
            capacity=row["capacity"],
            task_position_id=row["task_position"],
            task_due=_moment(row["task_due"]),
        )
        for row in model["timeline"]
    ]
    return View(
        timeline=timeline,
        request=_request(model, submitted_at=submitted_at, waiting_step=waiting_step),
        uploads=sorted(
            (
                Upload(
                    name=u["name"],
                    revision=int(u["revision"]),
                    kind=u["kind"],
                    size=int(u["size"]),
                    uploaded_at=_moment(u["uploaded_at"]) or submitted_at,
                )
                for u in model["uploads"]
            ),
            key=lambda u: (u.name, -u.revision),
        ),
        has_bill=bool(model["billed"]),
        has_issued=bool(model["issued"]),
        position_ids={
            p for e in timeline for p in (e.position_id, e.task_position_id) if p is not None
        },
    )


def _request(
    model: dict[str, Any], *, submitted_at: dt.datetime, waiting_step: str
) -> Request | None:
    raw = model.get("request")
    if not waiting_step or not raw:
        return None
    returned = model.get("returned") or {}
    return Request(
        step_id=raw["step"],
        reason=raw["reason"],
        at=_moment(raw["at"]) or submitted_at,
        respond_by=raw.get("respond_by"),
        documents=tuple(raw.get("documents") or ()),
        fields=tuple(raw.get("fields") or ()),
        checklist=dict(returned.get("checklist") or {}),
    )
