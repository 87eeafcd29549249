"""What a return asks the applicant to fix, as the tracking page shows it: the requested
documents and fields by their labels, with the officer's note, and the form fields to mark."""

from __future__ import annotations

from dataclasses import dataclass

from loket.cases import revision, tracking
from loket.catalog.definitions import ServiceDefinition
from loket.portal.forms import DATA_PREFIX, DOC_PREFIX


@dataclass(frozen=True)
class RequestedItem:
    label: str
    note: str
    form_field: str  # the resubmission form's field name ("doc_ktp", "data_alamat_usaha")


def requested_items(
    request: tracking.Request, definition: ServiceDefinition, language: str
) -> list[RequestedItem]:
    """The items the latest return asked for, documents first, in the definition's order
    (from the case's tracking read model: no query)."""
    requested = revision.Requested(documents=request.documents, fields=request.fields)
    if requested.is_empty:
        return []
    notes = request.checklist
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
