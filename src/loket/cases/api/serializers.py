"""Cases, events and tasks turned into the case API's shapes, as much as the reader may see."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils import translation

from loket.api.responses import LocalTimeEncoder
from loket.cases import policy, selectors, tracking
from loket.cases.api.schemas import TaskOut
from loket.cases.models import Case, CaseEvent, CaseStatus, Task
from loket.cases.policy import PersonalData
from loket.catalog.definitions import ServiceDefinition, compiled
from loket.core.pii import mask
from loket.documents.resources import Reader, issued_documents_out
from loket.org import titles as position_titles
from loket.org.titles import Title
from loket.payments.api import bill_out

STATUS_LABELS = dict(CaseStatus.choices)

# -- serializing ----------------------------------------------------------------------


def _event_out(
    event: CaseEvent, definition: ServiceDefinition, language: str, officer_view: bool
) -> dict[str, Any]:
    return {
        "at": event.at,
        "kind": event.kind,
        "step": event.step_id,
        "step_name": definition.step_name(event.step_id, language) if event.step_id else "",
        "action": event.action,
        "reason": event.reason,
        "position": event.position.title if event.position else None,
        "capacity": event.capacity,
        "officer": event.officer.name if officer_view and event.officer else None,
    }


def _entry_out(
    entry: tracking.Entry,
    definition: ServiceDefinition,
    language: str,
    titles: dict[int, Title],
) -> dict[str, Any]:
    """A public event from the read model, exactly as `_event_out` renders it."""
    position = titles.get(entry.position_id) if entry.position_id is not None else None
    return {
        "at": entry.at,
        "kind": entry.kind,
        "step": entry.step_id,
        "step_name": definition.step_name(entry.step_id, language) if entry.step_id else "",
        "action": entry.action,
        "reason": entry.reason,
        "position": position.title if position else None,
        "capacity": entry.capacity,
        "officer": None,
    }


def application_out(case: Case, *, access: PersonalData | None = None) -> dict[str, Any]:
    """The case as the applicant sees it (`access` None), or as an officer or integration
    sees it: internal events too, and personal data as `access` allows.

    Plain values only (no schema objects), so the applicant's GET can be written out
    without validating it again. The applicant's side reads the tracking read model
    (ADR 0023): no query beyond the case row unless there is a bill or an issued document.
    """
    officer_view = access is not None
    language = case.language
    definition = compiled(case.service_version)
    view = tracking.view(case)
    request = view.request
    with translation.override(language):  # labels in the applicant's language, like names
        # The label of this one status (get_status_display hashes every choice's label).
        status_label = str(STATUS_LABELS.get(case.status, case.status))
    if officer_view:
        timeline = [
            _event_out(e, definition, language, officer_view)
            for e in selectors.timeline(case, public_only=False)
        ]
    else:
        titles = position_titles.by_id(case.agency_id, view.position_ids)
        timeline = [_entry_out(e, definition, language, titles) for e in view.timeline]
    bill = bill_out(case, language) if view.has_bill else None
    return {
        "tracking_number": case.tracking_number,
        "service_code": case.service.code,
        "service_name": (case.service.name_en if language == "en" else "") or case.service.name,
        "service_version": case.service_version.number,
        "status": case.status,
        "status_label": status_label,
        "outcome": case.outcome,
        "outcome_reason": case.outcome_reason,
        "submitted_at": case.submitted_at,
        "complete_at": case.complete_at,
        "due_at": case.due_at,
        "is_overdue": case.is_overdue,
        "clock_paused": case.paused_at is not None,
        "current_steps": [
            {"id": s, "name": definition.step_name(s, language)} for s in case.current_steps
        ],
        "open_request": {
            "step": request.step_id,
            "step_name": definition.step_name(request.step_id, language),
            "reason": request.reason,
            "requested_at": request.at,
            "respond_by": request.respond_by,
            "requested_documents": list(request.documents),
            "requested_fields": list(request.fields),
        }
        if request
        else None,
        "timeline": timeline,
        "documents": [
            {
                "name": d.name,
                "revision": d.revision,
                "kind": d.kind,
                "size": d.size,
                "uploaded_at": d.uploaded_at,
            }
            for d in view.uploads
        ],
        "applicant": _applicant_out(case, access),
        "data": policy.case_data(case, definition, access or PersonalData.MASKED),
        "fee": selectors.current_fee(case),
        "bill": bill.model_dump() if bill is not None else None,
        "issued_documents": [d.model_dump() for d in issued_documents_out(case, _reader(access))]
        if view.has_issued
        else [],
        "licence_pending": selectors.licence_pending(case),
    }


def application_response(case: Case) -> HttpResponse:
    """The applicant's view written out directly: the values are already what the
    ApplicationOut schema produces (pinned by a test), so they are not validated again."""
    return HttpResponse(
        json.dumps(application_out(case), cls=LocalTimeEncoder),
        content_type="application/json; charset=utf-8",
    )


def _reader(access: PersonalData | None) -> Reader:
    if access is None:
        return Reader.APPLICANT
    return Reader.OFFICER if access == PersonalData.FULL else Reader.MASKED


def _applicant_out(case: Case, access: PersonalData | None) -> dict[str, str]:
    # The applicant's side (access None) gets NIK, e-mail and phone masked: an access
    # code may be shared or overheard, and the owner knows their own contacts.
    return dict(policy.applicant_fields(case, access or PersonalData.MASKED))


def task_out(task: Task) -> TaskOut:
    case = task.case
    return TaskOut(
        id=task.pk,
        tracking_number=case.tracking_number,
        service_code=case.service.code,
        step=task.step_id,
        name=task.name,
        position_code=task.position.code,
        position_title=task.position.title,
        status=task.status,
        created_at=task.created_at,
        due_at=task.due_at,
        is_overdue=task.is_overdue,
        escalated=task.escalated_at is not None,
        claimed_by=task.claimed_by.name if task.claimed_by else None,
        decision=task.decision,
        applicant_name=case.applicant_name,
        applicant_nik=mask(case.applicant_nik or ""),  # lists show the NIK masked
    )


def case_out(case: Case, access: PersonalData) -> dict[str, Any]:
    tasks = case.tasks.select_related("position", "claimed_by", "case", "case__service")
    return {
        **application_out(case, access=access),
        "tasks": [task_out(t) for t in tasks],
        # The case file's archive metadata travels with the officer's export of the case.
        "archive": {"classification_code": case.archive_code, "access_class": case.access_class},
    }
