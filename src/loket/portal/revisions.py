"""What a return asks the applicant to fix, as the tracking page shows it: the requested
documents and fields by their labels, with the officer's note, and the form fields to mark."""

from __future__ import annotations

from dataclasses import dataclass

from loket.cases import revision
from loket.cases.models import Case, CaseEvent
from loket.catalog.definitions import ServiceDefinition
from loket.portal.forms import DATA_PREFIX, DOC_PREFIX


@dataclass(frozen=True)
class RequestedItem:
    label: str
    note: str
    form_field: str  # the resubmission form's field name ("doc_ktp", "data_alamat_usaha")


def requested_items(
    case: Case, definition: ServiceDefinition, language: str
) -> list[RequestedItem]:
    """The items the latest return asked for, documents first, in the definition's order."""
    requested = revision.requested_of(case)
    if requested.is_empty:
        return []
    notes = revision.checklist_of(_returning_decision(case))
    items = [
        RequestedItem(
            label=spec.label_text(language),
            note=str((notes.get(spec.name) or {}).get("note") or ""),
            form_field=DOC_PREFIX + spec.name,
        )
        for spec in definition.document_requirements
        if spec.name in requested.documents
    ]
    items += [
        RequestedItem(
            label=spec.label_text(language),
            note="",
            form_field=DATA_PREFIX + spec.name,
        )
        for spec in definition.data_fields
        if spec.name in requested.fields
    ]
    return items


def _returning_decision(case: Case) -> CaseEvent | None:
    return (
        case.events.filter(kind="decided", action="return")
        .order_by("-sequence")
        .only("payload")
        .first()
    )
