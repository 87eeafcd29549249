"""REST API of the case engine: applications (public), tasks and cases (officers).

Views parse input, call one operation or selector, and serialize; every error
is a LoketError that the API turns into problem+json.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Schema, Status
from ninja.utils import check_csrf
from pydantic import Field

from loket.accounts.machine_accounts import account_for_key
from loket.api import pagination
from loket.api.auth import NotSignedIn, machine_auth, officer_auth, require_scope
from loket.api.responses import LocalTimeEncoder, problems
from loket.cases import personal_data, policy, selectors, services, throttle, tracking
from loket.cases.definition import Definition, compiled
from loket.cases.intake import Applicant
from loket.cases.models import Case, CaseEvent, CaseStatus, ReadChannel, Task
from loket.cases.policy import PersonalData
from loket.core import safeinput
from loket.core.errors import (
    AuthorityError,
    LoketError,
    NotFound,
    UnsupportedMediaType,
    ValidationError,
)
from loket.core.pii import mask
from loket.documents.resources import IssuedDocumentOut, Reader, issued_documents_out
from loket.org import titles as position_titles
from loket.org.models import Officer
from loket.org.titles import Title
from loket.payments.api import BillOut, bill_out

MAX_ID = 2**63 - 1
STATUS_LABELS = dict(CaseStatus.choices)
TRACKING = Path(..., min_length=3, max_length=32, description="e.g. IUM-2026-000123")


# -- schemas ------------------------------------------------------------------------


class StepOut(Schema):
    id: str
    name: str


class EventOut(Schema):
    at: dt.datetime
    kind: str
    step: str
    step_name: str
    action: str
    reason: str
    position: str | None
    capacity: str
    officer: str | None = None


class RequestOut(Schema):
    step: str
    step_name: str
    reason: str
    requested_at: dt.datetime
    respond_by: str | None
    requested_documents: list[str] = Field(
        default_factory=list,
        description="Documents the officer marked not conforming: replace at least one of "
        "the requested items, or the resubmission is refused (nothing_changed)",
    )
    requested_fields: list[str] = Field(
        default_factory=list, description="Data fields the officer asked to correct"
    )


class DocumentOut(Schema):
    name: str
    revision: int
    kind: str
    size: int
    uploaded_at: dt.datetime


class ApplicantOut(Schema):
    name: str
    nik: str
    email: str
    phone: str


class ApplicationOut(Schema):
    tracking_number: str
    service_code: str
    service_name: str
    service_version: int
    status: str
    status_label: str
    outcome: str
    outcome_reason: str
    submitted_at: dt.datetime
    complete_at: dt.datetime | None = Field(
        description="When the application was declared complete; the service deadline "
        "(due_at) runs from here (UU 30/2014 Pasal 53). Null until then."
    )
    due_at: dt.datetime | None
    is_overdue: bool
    clock_paused: bool
    current_steps: list[StepOut]
    open_request: RequestOut | None
    timeline: list[EventOut]
    documents: list[DocumentOut]
    applicant: ApplicantOut
    data: dict[str, Any]
    fee: int | None = Field(
        None, description="Fee in whole rupiah for the current data (0: free; null: not computable)"
    )
    bill: BillOut | None = Field(
        None, description="The bill of a payment step: waiting, or the latest one (null: none)"
    )
    issued_documents: list[IssuedDocumentOut] = Field(
        default_factory=list,
        description="The documents issued at the end of the case (the licence), newest first",
    )
    licence_pending: bool = Field(
        False,
        description="Approved, and the licence is being issued (signed by the worker); "
        "it appears in issued_documents within seconds, or later if the signer is down",
    )


class ReceiptOut(ApplicationOut):
    access_code: str = Field(description="Keep it: with the tracking number it opens the case")


class TaskOut(Schema):
    id: int
    tracking_number: str
    service_code: str
    step: str
    name: str
    position_code: str
    position_title: str
    status: str
    created_at: dt.datetime
    due_at: dt.datetime | None
    is_overdue: bool
    escalated: bool
    claimed_by: str | None
    decision: str
    applicant_name: str
    applicant_nik: str


class ArchiveOut(Schema):
    classification_code: str = Field(description="Permendagri 83/2022 archive code")
    access_class: str = Field(description="SKKAAD class: biasa, terbatas, rahasia, ...")


class CaseOut(ApplicationOut):
    tasks: list[TaskOut]
    archive: ArchiveOut


class ChecklistEntryIn(Schema):
    verdict: Literal["sesuai", "tidak_sesuai"]
    note: str = Field(default="", max_length=500)


class DecisionIn(Schema):
    decision: Literal["approve", "reject", "return"]
    reason: str = Field(default="", max_length=2000)
    checklist: dict[str, ChecklistEntryIn] = Field(
        default_factory=dict,
        description="Per required document (by name): sesuai or tidak_sesuai with a note; "
        "recorded with the decision. A return asks for the tidak_sesuai documents.",
    )
    requested_fields: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="With a return: the data fields the applicant must correct",
    )


class CancelIn(Schema):
    reason: str = Field(default="", max_length=2000)


class DecisionOut(Schema):
    task: TaskOut
    case: CaseOut


# -- serializing ----------------------------------------------------------------------


def _event_out(
    event: CaseEvent, definition: Definition, language: str, officer_view: bool
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
    definition: Definition,
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


# -- parsing multipart submissions ------------------------------------------------------


def _form(request: HttpRequest) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """(text fields, data, files by requirement name) of a multipart request."""
    content_type = request.content_type or ""
    if content_type not in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        raise UnsupportedMediaType(
            _("Send the application as multipart/form-data (fields and files)."),
            field="Content-Type",
            code="unsupported_media_type",
        )
    fields = {k: request.POST.get(k, "") for k in request.POST}
    for key, value in fields.items():
        safeinput.check_text(key, field=key)
        safeinput.check_text(value, field=key)
    data: dict[str, Any] = {}
    raw = fields.get("data", "").strip()
    if raw:
        try:
            data = safeinput.loads(raw, field="data")
        except ValueError:
            raise ValidationError(
                _('The field data must be a JSON object, e.g. {"nama_usaha": "Warung Bu Sri"}.'),
                field="data",
            ) from None
        if not isinstance(data, dict):
            raise ValidationError(_("The field data must be a JSON object."), field="data")
    for key, value in fields.items():
        if key.startswith("data.") and len(key) > 5:
            data[key[5:]] = value
    files: dict[str, Any] = {}
    for key in request.FILES:
        safeinput.check_text(key, field=key)
        name = key[len("documents.") :] if key.startswith("documents.") else key
        files[name] = request.FILES[key]
    return fields, data, files


def _require_case(
    tracking_number: str, access_code: str, request: HttpRequest, *, user: Any
) -> Case:
    return throttle.case_with_access_code(request, tracking_number, access_code, user=user)


def _signed_in_applicant(request: HttpRequest, *, changes_state: bool) -> Any:
    """The applicant signed in to the portal, if the request carries their session cookie.

    A browser sends that cookie with a form posted from any site (SameSite=Lax is not
    enough: top-level POSTs from a same-site page, older browsers), so a call that
    changes something is accepted on the strength of the cookie only with Django's
    CSRF token (the `X-CSRFToken` header), as the portal's own forms are.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if changes_state and check_csrf(request) is not None:
        raise AuthorityError(
            _(
                "This call uses your portal sign-in cookie and needs the CSRF token in the "
                "X-CSRFToken header. Without a sign-in, send the access code instead."
            ),
            field="X-CSRFToken",
            code="csrf_failed",
        )
    return user


def _multipart_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": required,
                        "properties": properties,
                        "additionalProperties": {"type": "string", "format": "binary"},
                    }
                }
            },
        }
    }


_SUBMIT_BODY = _multipart_body(
    {
        "service": {"type": "string", "description": "service code, e.g. izin-usaha-mikro"},
        "applicant_name": {"type": "string"},
        "nik": {"type": "string", "description": "16-digit NIK"},
        "email": {"type": "string"},
        "phone": {"type": "string"},
        "language": {"type": "string", "enum": ["id", "en"]},
        "data": {"type": "string", "description": "JSON object of the service's data fields"},
    },
    ["service", "applicant_name", "nik", "data"],
)
_RESUBMIT_BODY = _multipart_body(
    {"data": {"type": "string", "description": "JSON object of the fields to change"}}, []
)

# -- public routes ------------------------------------------------------------------------

applications = Router(tags=["applications"])


@applications.post(
    "",
    response={200: ReceiptOut, 201: ReceiptOut},
    summary="Submit an application (multipart: fields, data JSON, one file per document)",
    openapi_extra=problems(400, 401, 403, 404, 415, 422, 429, extra=_SUBMIT_BODY),
)
def submit_application(
    request: HttpRequest,
    response: HttpResponse,
    # Length and characters are checked by the engine, so a bad key is a 422 naming it.
    idempotency_key: str = Header(
        "",
        alias="Idempotency-Key",
        description="Up to 200 printable ASCII characters (a UUID); scoped to the caller",
    ),
) -> Status:
    client = _submitting_client(request)
    fields, data, files = _form(request)
    service_code = fields.get("service", "").strip()
    if not service_code:
        raise ValidationError(_("Give the code of the service you apply for."), field="service")
    applicant = Applicant(
        name=fields.get("applicant_name", ""),
        nik=fields.get("nik", ""),
        email=fields.get("email", ""),
        phone=fields.get("phone", ""),
        language=str(fields.get("language") or getattr(request, "LANGUAGE_CODE", "id")),
    )
    user = _signed_in_applicant(request, changes_state=True)
    try:
        throttle.reserve_submission(request, email=applicant.email, phone=applicant.phone)
        submission = services.submit(
            service_code=service_code,
            applicant=applicant,
            data=data,
            documents=files,
            user=user,
            idempotency_key=idempotency_key,
            client=client,
        )
    except LoketError as exc:
        # The engine names the applicant's fields `applicant.nik`; the request says `nik`.
        exc.field = _SUBMIT_FIELDS.get(exc.field or "", exc.field)
        raise
    body = {**application_out(submission.case), "access_code": submission.access_code}
    if not submission.created:
        response["Idempotent-Replayed"] = "true"
    return Status(201 if submission.created else 200, body)


_SUBMIT_FIELDS = {
    "applicant.name": "applicant_name",
    "applicant.nik": "nik",
    "applicant.email": "email",
    "applicant.phone": "phone",
    "applicant.language": "language",
}


def _submitting_client(request: HttpRequest) -> str:
    """The key space of the caller's Idempotency-Keys: an integration's machine account
    (`Authorization: Bearer lkm_…` with the scope applications:submit), else anonymous.
    A signed-in applicant's own space is chosen by the engine from the session user."""
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return ""
    account = account_for_key(key.strip())
    if account is None:
        raise NotSignedIn(
            _("The API key is unknown, expired or revoked."),
            field="Authorization",
            code="bad_api_key",
        )
    if not account.has_scope("applications:submit"):
        raise AuthorityError(
            _("This key does not give access to %(scope)s.") % {"scope": "applications:submit"},
            field="Authorization",
            code="scope_missing",
        )
    return f"machine:{account.pk}"


@applications.get(
    "/{tracking_number}",
    response=ApplicationOut,
    summary="Follow an application (with its access code, or as the signed-in applicant)",
    openapi_extra=problems(404, 422, 429),
)
def get_application(
    request: HttpRequest,
    tracking_number: str = TRACKING,
    access_code: str = Query("", max_length=32),
    x_access_code: str = Header("", alias="X-Access-Code", max_length=32),
) -> HttpResponse:
    user = _signed_in_applicant(request, changes_state=False)
    case = _require_case(tracking_number, x_access_code or access_code, request, user=user)
    return application_response(case)


@applications.post(
    "/{tracking_number}/resubmit",
    response=ApplicationOut,
    summary="Send a revised application after it was returned",
    openapi_extra=problems(400, 403, 404, 409, 422, 429, extra=_RESUBMIT_BODY),
)
def resubmit_application(
    request: HttpRequest,
    tracking_number: str = TRACKING,
    access_code: str = Query("", max_length=32),
    x_access_code: str = Header("", alias="X-Access-Code", max_length=32),
) -> dict[str, Any]:
    user = _signed_in_applicant(request, changes_state=True)
    case = _require_case(tracking_number, x_access_code or access_code, request, user=user)
    _fields, data, files = _form(request)
    case = services.resubmit(case_id=case.pk, data=data, documents=files, user=user)
    return application_out(case)


@applications.post(
    "/{tracking_number}/cancel",
    response=ApplicationOut,
    summary="Withdraw an application",
    openapi_extra=problems(400, 403, 404, 409, 422, 429),
)
def cancel_application(
    request: HttpRequest,
    body: CancelIn,
    tracking_number: str = TRACKING,
    access_code: str = Query("", max_length=32),
    x_access_code: str = Header("", alias="X-Access-Code", max_length=32),
) -> dict[str, Any]:
    user = _signed_in_applicant(request, changes_state=True)
    case = _require_case(tracking_number, x_access_code or access_code, request, user=user)
    case = services.cancel(case_id=case.pk, reason=body.reason, user=user)
    return application_out(case)


# -- officers' routes ---------------------------------------------------------------------

tasks = Router(tags=["officers"], auth=officer_auth)


def _officer(request: HttpRequest) -> Officer:
    officer: Officer = request.auth  # type: ignore[attr-defined]
    return officer


@tasks.get(
    "",
    response=list[TaskOut],
    summary="My queue: tasks of the positions I may act for now, overdue first",
    description=(
        "Open tasks unless `status` says otherwise. Pages of `limit` tasks: when there are "
        "more, the response's `Link` header carries the next page's URL "
        '(`rel="next"`, RFC 8288) with an opaque `cursor`; keep the other parameters '
        "while paging. The order is fixed at the first page, so a task that becomes "
        "overdue meanwhile does not jump between pages. `due_before` (ISO 8601) keeps "
        "tasks due before that moment."
    ),
    openapi_extra=problems(401, 422),
)
def list_tasks(  # noqa: PLR0917  (django-ninja passes query parameters positionally)
    request: HttpRequest,
    response: HttpResponse,
    limit: int = Query(100, ge=1, le=500),
    cursor: str = Query("", max_length=pagination.MAX_CURSOR_LENGTH),
    status: Literal["open", "done", "cancelled"] = Query("open"),
    service: str = Query("", max_length=80, description="a service code"),
    due_before: dt.datetime | None = None,
) -> list[TaskOut]:
    query = {
        "status": status,
        "service": service,
        "due_before": due_before.isoformat() if due_before else "",
    }
    state = pagination.read_cursor(cursor, salt="tasks", query=query)
    at = state.at or timezone.now()
    queue = selectors.task_queue(
        _officer(request), at=at, status=status, service_code=service, due_before=due_before
    )
    page = pagination.keyset_page(
        queue,
        order=selectors.QUEUE_ORDER,
        limit=limit,
        state=pagination.CursorState(after=state.after, query=query, at=at),
        salt="tasks",
    )
    if page.next_cursor:
        response["Link"] = pagination.next_link(request, page.next_cursor)
    return [task_out(task) for task in page.items]


def _task_or_404(task_id: int, officer: Officer) -> Task:
    """A task of the officer's agency; whether they may act on it is the engine's
    (policy's) answer, a 403 with an audit line, not a 404."""
    task = selectors.task_for_officer(task_id)
    if task is None or task.case.agency_id != officer.agency_id:
        raise NotFound(_("There is no task %(id)s.") % {"id": task_id}, field="task_id")
    return task


@tasks.get(
    "/{task_id}",
    response=TaskOut,
    summary="One task (of a case in my reach)",
    openapi_extra=problems(401, 403, 404, 422),
)
def get_task(request: HttpRequest, task_id: int = Path(..., ge=1, le=MAX_ID)) -> TaskOut:
    officer = _officer(request)
    task = _task_or_404(task_id, officer)
    if not policy.may_view_case(policy.reach_of(officer, timezone.now()), task.case):
        raise AuthorityError(
            _(
                "Case %(number)s is outside your reach: only holders of its positions and "
                "the heads of their units may read it."
            )
            % {"number": task.case.tracking_number},
            code="case_outside_reach",
        )
    return task_out(task)


@tasks.post(
    "/{task_id}/claim",
    response=TaskOut,
    summary="Take a task so no other officer works on it",
    openapi_extra=problems(400, 401, 403, 404, 409, 422),
)
def claim(request: HttpRequest, task_id: int = Path(..., ge=1, le=MAX_ID)) -> TaskOut:
    officer = _officer(request)
    _task_or_404(task_id, officer)
    services.claim_task(task_id=task_id, officer=officer)
    return task_out(_task_or_404(task_id, officer))


@tasks.post(
    "/{task_id}/decision",
    response=DecisionOut,
    summary="Approve, reject or return a task (a reason is required to reject or return)",
    openapi_extra=problems(400, 401, 403, 404, 409, 422),
)
def decision(
    request: HttpRequest, body: DecisionIn, task_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    officer = _officer(request)
    _task_or_404(task_id, officer)
    services.decide(
        task_id=task_id,
        officer=officer,
        decision=body.decision,
        reason=body.reason,
        checklist={name: entry.model_dump() for name, entry in body.checklist.items()},
        requested_fields=body.requested_fields,
    )
    task = _task_or_404(task_id, officer)
    case = selectors.case_by_tracking_number(task.case.tracking_number)
    assert case is not None
    return {"task": task_out(task), "case": _case_for_officer(officer, case, "decision")}


def _case_for_officer(officer: Officer, case: Case, detail: str = "") -> dict[str, Any]:
    """The case as the officer may see it; a read of full personal data is audited first."""
    access = policy.officer_case_access(policy.reach_of(officer, timezone.now()), case)
    if access is None:
        personal_data.record_refused_read(officer=officer, case=case, channel=ReadChannel.API)
        raise AuthorityError(
            _(
                "Case %(number)s is outside your reach: only holders of its positions and "
                "the heads of their units may read it."
            )
            % {"number": case.tracking_number},
            code="case_outside_reach",
        )
    if access == PersonalData.FULL:
        personal_data.record_read(
            case=case, channel=ReadChannel.API, officer=officer, detail=detail
        )
    return case_out(case, access)


cases = Router(tags=["officers"], auth=[officer_auth, *machine_auth])


@cases.get(
    "/{tracking_number}",
    response=CaseOut,
    summary="A case: in full for officers working it, masked for heads and integrations",
    description="Officers holding the position of one of the case's tasks see the applicant's "
    "personal data in full (each such read is audited); heads of their units see it masked; "
    "other officers of the agency get 403. A machine account needs the scope `cases:read` "
    "and sees cases of its agency with personal data masked.",
    openapi_extra=problems(401, 403, 404, 422),
)
def get_case(request: HttpRequest, tracking_number: str = TRACKING) -> dict[str, Any]:
    case = selectors.case_by_tracking_number(tracking_number)
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, Officer):
        if case is not None and case.agency_id == caller.agency_id:
            return _case_for_officer(caller, case)
    else:
        account = require_scope(request, "cases:read")
        access = policy.machine_case_access(account, case) if case is not None else None
        if case is not None and access is not None:
            return case_out(case, access)
    raise NotFound(
        _("There is no case %(number)s in your agency.") % {"number": tracking_number},
        field="tracking_number",
    )
