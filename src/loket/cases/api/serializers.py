"""Cases, events and tasks turned into the case API's shapes, as much as the reader may see."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils import timezone, translation

from loket.api.responses import LocalTimeEncoder, iso_moment
from loket.cases import applicant_card, policy, selectors, tracking
from loket.cases.api import tracked_bodies
from loket.cases.models import Case, CaseEvent, CaseStatus, Task, case_is_overdue
from loket.cases.policy import PersonalData
from loket.cases.reads import TrackedRow
from loket.catalog.definitions import ServiceDefinition, compiled, compiled_if_seen
from loket.core.pii import mask
from loket.documents.resources import Reader, issued_documents_out
from loket.org import titles as position_titles
from loket.org.titles import Title
from loket.payments.api import bill_out

STATUS_LABELS = dict(CaseStatus.choices)

# How a moment goes into a body: as the datetime itself (validated or encoded later), or
# already written as LocalTimeEncoder writes it (`_local_moment`).
Moment = Callable[[dt.datetime | None], Any]


def _as_is(moment: dt.datetime | None) -> dt.datetime | None:
    return moment


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
    step_names: Mapping[str, str],
    titles: dict[int, Title],
    moment: Moment,
) -> dict[str, Any]:
    """A public event from the read model, exactly as `_event_out` renders it."""
    position = titles.get(entry.position_id) if entry.position_id is not None else None
    step_id = entry.step_id
    return {
        "at": moment(entry.at),
        "kind": entry.kind,
        "step": step_id,
        "step_name": step_names.get(step_id, step_id) if step_id else "",
        "action": entry.action,
        "reason": entry.reason,
        "position": position.title if position else None,
        "capacity": entry.capacity,
        "officer": None,
    }


@dataclass(frozen=True, slots=True)
class _Shown:
    """The case's own values that its applicant's view shows, from an instance or a row."""

    tracking_number: str
    service_code: str
    service_name: str  # in the case's language
    version_number: int
    language: str
    status: str
    outcome: str
    outcome_reason: str
    submitted_at: dt.datetime
    complete_at: dt.datetime | None
    due_at: dt.datetime | None
    paused_at: dt.datetime | None
    current_steps: list[str]


def _shown(case: Case) -> _Shown:
    language = case.language
    service = case.service
    return _Shown(
        tracking_number=case.tracking_number,
        service_code=service.code,
        service_name=(service.name_en if language == "en" else "") or service.name,
        version_number=case.service_version.number,
        language=language,
        status=case.status,
        outcome=case.outcome,
        outcome_reason=case.outcome_reason,
        submitted_at=case.submitted_at,
        complete_at=case.complete_at,
        due_at=case.due_at,
        paused_at=case.paused_at,
        current_steps=case.current_steps,
    )


def _shown_from_row(tracked: TrackedRow) -> _Shown:
    language = tracked.value("language")
    name_en = tracked.value("service__name_en") if language == "en" else ""
    return _Shown(
        tracking_number=tracked.value("tracking_number"),
        service_code=tracked.value("service__code"),
        service_name=name_en or tracked.value("service__name"),
        version_number=tracked.value("service_version__number"),
        language=language,
        status=tracked.value("status"),
        outcome=tracked.value("outcome"),
        outcome_reason=tracked.value("outcome_reason"),
        submitted_at=tracked.value("submitted_at"),
        complete_at=tracked.value("complete_at"),
        due_at=tracked.value("due_at"),
        paused_at=tracked.value("paused_at"),
        current_steps=tracked.value("current_steps"),
    )


_status_labels: dict[tuple[str, str], str] = {}


def _status_label(status: str, language: str) -> str:
    """The label of this one status in the applicant's language (get_status_display
    hashes every choice's label); kept per process, as the catalogues do not change."""
    label = _status_labels.get((status, language))
    if label is None:
        with translation.override(language):
            label = str(STATUS_LABELS.get(status, status))
        _status_labels[(status, language)] = label
    return label


def _body(
    shown: _Shown,
    definition: ServiceDefinition,
    view: tracking.View,
    *,
    timeline: list[dict[str, Any]],
    personal: tuple[dict[str, str], dict[str, Any], int | None],
    bill: dict[str, Any] | None,
    issued_documents: list[dict[str, Any]],
    is_overdue: bool,
    moment: Moment = _as_is,
) -> dict[str, Any]:
    """The case API's application, in ApplicationOut's field order; `personal` is the
    applicant, the data and the fee as the reader may see them. `is_overdue` is the
    case's at the moment of the request (the only value of the body that time changes)."""
    language = shown.language
    step_names = definition.step_names(language)
    request = view.request
    applicant, data, fee = personal
    return {
        "tracking_number": shown.tracking_number,
        "service_code": shown.service_code,
        "service_name": shown.service_name,
        "service_version": shown.version_number,
        "status": shown.status,
        "status_label": _status_label(shown.status, language),
        "outcome": shown.outcome,
        "outcome_reason": shown.outcome_reason,
        "submitted_at": moment(shown.submitted_at),
        "complete_at": moment(shown.complete_at),
        "due_at": moment(shown.due_at),
        "is_overdue": is_overdue,
        "clock_paused": shown.paused_at is not None,
        "current_steps": [{"id": s, "name": step_names.get(s, s)} for s in shown.current_steps],
        "open_request": {
            "step": request.step_id,
            "step_name": step_names.get(request.step_id, request.step_id),
            "reason": request.reason,
            "requested_at": moment(request.at),
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
                "uploaded_at": moment(d.uploaded_at),
            }
            for d in view.uploads
        ],
        "applicant": applicant,
        "data": data,
        "fee": fee,
        "bill": bill,
        "issued_documents": issued_documents,
        "licence_pending": selectors.rests_at_issue(
            definition, status=shown.status, current_steps=shown.current_steps
        ),
    }


def _public_timeline(
    view: tracking.View,
    definition: ServiceDefinition,
    language: str,
    agency_id: int,
    moment: Moment = _as_is,
) -> tuple[int, list[dict[str, Any]]]:
    """The public timeline and the revision of the position titles it names."""
    revision, titles = position_titles.by_id_at(agency_id, view.position_ids)
    step_names = definition.step_names(language)
    return revision, [_entry_out(e, step_names, titles, moment) for e in view.timeline]


def application_out(case: Case, *, access: PersonalData | None = None) -> dict[str, Any]:
    """The case as the applicant sees it (`access` None), or as an officer or integration
    sees it: internal events too, and personal data as `access` allows.

    Plain values only (no schema objects), so the applicant's GET can be written out
    without validating it again. The applicant's side reads the tracking read model
    (ADR 0023): no query beyond the case row unless there is a bill or an issued document.
    """
    officer_view = access is not None
    shown = _shown(case)
    language = shown.language
    definition = compiled(case.service_version)
    view = tracking.view(case)
    if officer_view:
        timeline = [
            _event_out(e, definition, language, officer_view)
            for e in selectors.timeline(case, public_only=False)
        ]
    else:
        timeline = _public_timeline(view, definition, language, case.agency_id)[1]
    bill = bill_out(case, language) if view.has_bill else None
    seen = access or PersonalData.MASKED
    return _body(
        shown,
        definition,
        view,
        timeline=timeline,
        personal=(
            _applicant_out(case, access),
            policy.case_data(case, definition, seen),
            selectors.current_fee(case),
        ),
        bill=bill.model_dump() if bill is not None else None,
        issued_documents=[d.model_dump() for d in issued_documents_out(case, _reader(access))]
        if view.has_issued
        else [],
        is_overdue=case.is_overdue,
    )


def application_response(case: Case) -> HttpResponse:
    """The applicant's view written out directly: the values are already what the
    ApplicationOut schema produces (pinned by a test), so they are not validated again."""
    return _json_response(application_out(case))


_JSON = "application/json; charset=utf-8"


def _json_response(body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(json.dumps(body, cls=LocalTimeEncoder), content_type=_JSON)


def tracked_response(tracked: TrackedRow) -> HttpResponse:
    """`application_response` for the applicant's GET, from the row as it was read.

    Call it only with a row whose lock-out and access checks passed (`throttle`): the
    body may come from this process's bodies (ADR 0030), keyed on everything it is
    made from. Otherwise no model instance is built for a case whose read model is
    current and that has no bill and no issued document (those are read from their own
    apps, with the case, and such a body is never kept); the values are the ones
    `application_out` gives (pinned by a test)."""
    looks = _Looks.now(tracked)
    key = looks.key(tracked, position_titles.revision(tracked.value("agency_id")))
    body = tracked_bodies.get(key)
    if body is None:
        model = tracked.value("tracking")
        if model.get("v") != tracking.VERSION or model.get("billed") or model.get("issued"):
            return application_response(tracked.case())
        revision, body = _tracked_body(tracked, model, looks)
        # Under the titles the body was made from (a reload while making it is newer).
        tracked_bodies.put(looks.key(tracked, revision), body)
    return HttpResponse(body, content_type=_JSON)


@dataclass(frozen=True, slots=True)
class _Looks:
    """What the tracking GET's body depends on beside the row and the titles, taken once
    per request so that the body and its key agree: the moments' zone, the language,
    and whether the case is overdue now (the one value of the body time changes)."""

    zone: dt.tzinfo
    language: str
    is_overdue: bool

    @classmethod
    def now(cls, tracked: TrackedRow) -> _Looks:
        return cls(
            zone=timezone.get_current_timezone(),
            language=translation.get_language() or "",
            is_overdue=case_is_overdue(
                status=tracked.value("status"),
                paused_at=tracked.value("paused_at"),
                due_at=tracked.value("due_at"),
            ),
        )

    def key(self, tracked: TrackedRow, titles_revision: int) -> tuple[Any, ...]:
        """The body's key: every column of the row as read (the case's, its service's,
        its version's id and content hash, which name the compiled definition), the
        position titles' revision, and these looks."""
        return (tracked.raw(), titles_revision, self.zone, self.language, self.is_overdue)


def _tracked_body(tracked: TrackedRow, model: dict[str, Any], looks: _Looks) -> tuple[int, bytes]:
    """The body for a current read model without bill or issued document, and the
    revision of the position titles it names."""
    shown = _shown_from_row(tracked)
    definition = compiled_if_seen(
        tracked.value("service_version_id"), tracked.value("service_version__content_hash")
    ) or compiled(tracked.case().service_version)
    view = tracking.view_of(
        model, submitted_at=shown.submitted_at, waiting_step=tracked.value("waiting_step")
    )
    personal = applicant_card.shown(tracked.value("applicant_card")) or _personal_from_row(
        tracked, definition
    )
    zone = looks.zone

    def local(moment: dt.datetime | None) -> str | None:
        return iso_moment(moment.astimezone(zone)) if moment is not None else None

    revision, timeline = _public_timeline(
        view, definition, shown.language, tracked.value("agency_id"), local
    )
    body = _body(
        shown,
        definition,
        view,
        timeline=timeline,
        personal=personal,
        bill=None,
        issued_documents=[],
        is_overdue=looks.is_overdue,
        moment=local,
    )
    # Every moment is already written as LocalTimeEncoder writes it: the plain encoder
    # gives the same bytes without a call back into Python per moment.
    return revision, json.dumps(body).encode()


def _personal_from_row(
    tracked: TrackedRow, definition: ServiceDefinition
) -> tuple[dict[str, str], dict[str, Any], int | None]:
    """What the applicant card holds, from the row's own columns (a row without one)."""
    card = applicant_card.make(
        definition,
        name=tracked.value("applicant_name"),
        nik=tracked.value("applicant_nik"),
        email=tracked.value("applicant_email"),
        phone=tracked.value("applicant_phone"),
        data=tracked.value("data"),
    )
    shown = applicant_card.shown(card)
    assert shown is not None  # made by this version
    return shown


def _reader(access: PersonalData | None) -> Reader:
    if access is None:
        return Reader.APPLICANT
    return Reader.OFFICER if access == PersonalData.FULL else Reader.MASKED


def _applicant_out(case: Case, access: PersonalData | None) -> dict[str, str]:
    # The applicant's side (access None) gets NIK, e-mail and phone masked: an access
    # code may be shared or overheard, and the owner knows their own contacts.
    return dict(policy.applicant_fields(case, access or PersonalData.MASKED))


def task_out(task: Task) -> dict[str, Any]:
    """A task as `schemas.TaskOut` describes it. A plain dict: ninja validates the answer
    against the schema once; building TaskOut here validated each task twice (a sixth
    of an officer's queue request, issue 11)."""
    case = task.case
    return {
        "id": task.pk,
        "tracking_number": case.tracking_number,
        "service_code": case.service.code,
        "step": task.step_id,
        "name": task.name,
        "position_code": task.position.code,
        "position_title": task.position.title,
        "status": task.status,
        "created_at": task.created_at,
        "due_at": task.due_at,
        "is_overdue": task.is_overdue,
        "escalated": task.escalated_at is not None,
        "claimed_by": task.claimed_by.name if task.claimed_by else None,
        "decision": task.decision,
        "applicant_name": case.applicant_name,
        "applicant_nik": mask(case.applicant_nik or ""),  # lists show the NIK masked
    }


def case_out(case: Case, access: PersonalData) -> dict[str, Any]:
    tasks = case.tasks.select_related("position", "claimed_by", "case", "case__service")
    return {
        **application_out(case, access=access),
        "tasks": [task_out(t) for t in tasks],
        # The case file's archive metadata travels with the officer's export of the case.
        "archive": {"classification_code": case.archive_code, "access_class": case.access_class},
    }
