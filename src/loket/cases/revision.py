"""The revision loop: what an officer's return asks for, whether a resubmission answers it,
and what changed since the return.

A return may carry the officer's per-document checklist (each document *sesuai* or
*tidak sesuai*, with a note) and the data fields to correct. The documents marked
*tidak sesuai* and the fields named are what the return asks for; a resubmission that
changes none of them is refused (`nothing_changed`), and so is one that changes nothing
at all when the return named nothing (an automatic check's return, or a reason alone).
Refusing happens before anything is stored, so the applicant loses nothing.

The engine's operations call `review_payload` (decide) and `require_changes` and
`record_revision` (resubmit); pages and the API read `requested_of` and
`changes_since_return`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from loket.cases.models import Case, CaseDocument, CaseEvent, CaseRevision, Decision
from loket.catalog.definitions import ServiceDefinition, compiled
from loket.catalog.fields import localized
from loket.core.errors import ValidationError

CONFORMS = "sesuai"
NOT_CONFORMING = "tidak_sesuai"
VERDICTS = (CONFORMS, NOT_CONFORMING)
NOTE_MAX = 500


@dataclass(frozen=True)
class Requested:
    """What a return asks the applicant to change: document and data-field names."""

    documents: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.documents and not self.fields


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class DocumentChange:
    name: str
    document: CaseDocument
    previous: CaseDocument | None


@dataclass(frozen=True)
class Changes:
    """What the applicant changed in their latest revision, against what the return asked."""

    revision: int
    at: dt.datetime
    fields: list[FieldChange] = field(default_factory=list)
    documents: list[DocumentChange] = field(default_factory=list)
    requested: Requested = field(default_factory=Requested)

    @property
    def unanswered(self) -> list[str]:
        """Requested items the revision left as they were ("documents.x", "data.y")."""
        replaced = {change.name for change in self.documents}
        changed = {change.name for change in self.fields}
        return [f"documents.{n}" for n in self.requested.documents if n not in replaced] + [
            f"data.{n}" for n in self.requested.fields if n not in changed
        ]


# -- the officer's return ---------------------------------------------------------------


def review_payload(
    definition: ServiceDefinition,
    *,
    decision: str,
    checklist: Mapping[str, Any] | None,
    requested_fields: Iterable[str] = (),
) -> dict[str, Any]:
    """The checklist and requested items to record with a decision; refuses bad ones.

    `checklist` maps a document name to {"verdict": "sesuai"|"tidak_sesuai", "note": str};
    a *tidak sesuai* verdict needs a note (the applicant reads it), and cannot be approved.
    """
    documents = {spec.name for spec in definition.document_requirements}
    cleaned: dict[str, dict[str, str]] = {}
    for name, entry in (checklist or {}).items():
        cleaned[str(name)] = _checked(str(name), entry, documents)
    failing = sorted(name for name, entry in cleaned.items() if entry["verdict"] == NOT_CONFORMING)
    if decision == Decision.APPROVE and failing:
        raise ValidationError(
            _("A document marked as not conforming cannot be approved: return or reject instead."),
            field=f"checklist.{failing[0]}",
            code="checklist_not_conforming",
        )
    data_names = {spec.name for spec in definition.data_fields}
    fields = sorted({str(name) for name in requested_fields})
    unknown = [name for name in fields if name not in data_names]
    if unknown:
        raise ValidationError(
            _("The service has no data field %(name)s.") % {"name": unknown[0][:80]},
            field="requested_fields",
        )
    if fields and decision != Decision.RETURN:
        raise ValidationError(
            _("Fields to correct can be named only when returning the application."),
            field="requested_fields",
        )
    payload: dict[str, Any] = {}
    if cleaned:
        payload["checklist"] = cleaned
    if decision == Decision.RETURN and (failing or fields):
        payload["requested"] = {"documents": failing, "fields": fields}
    return payload


def _checked(name: str, entry: Any, documents: set[str]) -> dict[str, str]:
    if name not in documents:
        raise ValidationError(
            _("The service asks for no document %(name)s.") % {"name": name[:80]},
            field=f"checklist.{name[:80]}",
        )
    verdict = str(entry.get("verdict") or "") if isinstance(entry, Mapping) else ""
    note = " ".join(str(entry.get("note") or "").split()) if isinstance(entry, Mapping) else ""
    if verdict not in VERDICTS:
        raise ValidationError(
            _("Mark the document as conforming (sesuai) or not conforming (tidak sesuai)."),
            field=f"checklist.{name}",
        )
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("A note may be at most %(max)d characters.") % {"max": NOTE_MAX},
            field=f"checklist.{name}",
        )
    if verdict == NOT_CONFORMING and not note:
        raise ValidationError(
            _("Say what is wrong with a document marked not conforming: the applicant reads it."),
            field=f"checklist.{name}",
            code="note_required",
        )
    return {"verdict": verdict, "note": note}


def requested_of(case: Case) -> Requested:
    """What the return the applicant is answering asked for (empty if it named nothing)."""
    waiting = (
        case.events.filter(kind="awaiting_applicant").order_by("-sequence").only("sequence").first()
    )
    if waiting is None:
        return Requested()
    return _requested_before(case, waiting.sequence)


def _requested_before(case: Case, sequence: int) -> Requested:
    # The act that sent the case back is the last decision or automatic step before it.
    cause = (
        case.events.filter(sequence__lt=sequence, kind__in=("decided", "auto_step"))
        .order_by("-sequence")
        .first()
    )
    if cause is None or cause.kind != "decided" or cause.action != Decision.RETURN:
        return Requested()
    asked = (cause.payload or {}).get("requested") or {}
    return Requested(
        documents=tuple(str(n) for n in asked.get("documents") or []),
        fields=tuple(str(n) for n in asked.get("fields") or []),
    )


def checklist_of(event: CaseEvent | None) -> dict[str, dict[str, str]]:
    """The per-document checklist recorded with a decision event (empty if none)."""
    if event is None:
        return {}
    return dict((event.payload or {}).get("checklist") or {})


# -- the applicant's resubmission ----------------------------------------------------------


def require_changes(
    case: Case,
    definition: ServiceDefinition,
    *,
    changed_fields: Iterable[str],
    document_hashes: Mapping[str, str],
) -> set[str]:
    """Refuse a resubmission that changes nothing the return asked for; else the names
    of the documents really replaced.

    `document_hashes` are the SHA-256 of the files sent now: a file identical to the
    one already held is no replacement. Called before anything is stored.
    """
    held = {
        doc.name: doc.sha256
        for doc in CaseDocument.objects.filter(case=case).order_by("name", "-revision")
        if doc.name in document_hashes
    }
    replaced = {name for name, digest in document_hashes.items() if held.get(name) != digest}
    changed = set(changed_fields)
    requested = requested_of(case)
    if requested.is_empty:
        if not changed and not replaced:
            raise ValidationError(
                _(
                    "Nothing in this revision differs from what you sent before. Change what "
                    "the officer asked for, then send it again."
                ),
                code="nothing_changed",
            )
        return replaced
    if replaced & set(requested.documents) or changed & set(requested.fields):
        return replaced
    first = (
        f"documents.{requested.documents[0]}"
        if requested.documents
        else f"data.{requested.fields[0]}"
    )
    raise ValidationError(
        _(
            "You did not change what the officer asked for: %(items)s. Upload a new file or "
            "correct the value, then send the revision again."
        )
        % {"items": ", ".join(requested_labels(definition, requested, case.language))},
        field=first,
        code="nothing_changed",
    )


def requested_labels(
    definition: ServiceDefinition, requested: Requested, language: str
) -> list[str]:
    """The requested documents and fields by their labels in `language`."""
    documents = {s.name: s.label for s in definition.document_requirements}
    fields = {s.name: s.label for s in definition.data_fields}
    return [localized(documents.get(n), language) or n for n in requested.documents] + [
        localized(fields.get(n), language) or n for n in requested.fields
    ]


def record_revision(
    case: Case, *, before: Mapping[str, Any], changed_fields: Iterable[str], at: dt.datetime
) -> CaseRevision:
    """Keep the changed fields' earlier and new values (encrypted) for the officer's diff."""
    changes = {name: [before.get(name), case.data.get(name)] for name in changed_fields}
    return CaseRevision.objects.create(case=case, revision=case.revision, at=at, changes=changes)


# -- what the officer reads ------------------------------------------------------------------


def changes_since_return(case: Case, definition: ServiceDefinition | None = None) -> Changes | None:
    """The latest revision's changes: fields old -> new (NIK and phone masked), documents
    replaced (with the file they replace), and what the return had asked for.
    None when the applicant never resubmitted."""
    if case.revision == 0:
        return None
    definition = definition or compiled(case.service_version)
    revision = CaseRevision.objects.filter(case=case, revision=case.revision).first()
    resubmitted = (
        case.events.filter(kind="resubmitted", payload__revision=case.revision)
        .order_by("-sequence")
        .first()
    )
    if revision is None and resubmitted is None:
        return None
    fields = []
    if revision is not None:
        old = definition.masked_data({k: v[0] for k, v in revision.changes.items()})
        new = definition.masked_data({k: v[1] for k, v in revision.changes.items()})
        fields = [FieldChange(name=n, before=old[n], after=new[n]) for n in revision.changes]
    documents = _replaced_documents(case)
    requested = _requested_before(case, resubmitted.sequence) if resubmitted else Requested()
    at = revision.at if revision is not None else resubmitted.at  # type: ignore[union-attr]
    return Changes(
        revision=case.revision, at=at, fields=fields, documents=documents, requested=requested
    )


def _replaced_documents(case: Case) -> list[DocumentChange]:
    files = list(CaseDocument.objects.filter(case=case).order_by("name", "-revision"))
    changes = []
    for doc in files:
        if doc.revision != case.revision:
            continue
        previous = next(
            (older for older in files if older.name == doc.name and older.revision < doc.revision),
            None,
        )
        changes.append(DocumentChange(name=doc.name, document=doc, previous=previous))
    return changes
