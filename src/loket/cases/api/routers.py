"""The case API's routes: applications (public), tasks and cases (officers).

Views parse input, call one operation or selector, and serialize; every error
is a LoketError that the API turns into problem+json.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Status
from ninja.utils import check_csrf
from pydantic import BeforeValidator

from loket.accounts.machine_accounts import account_for_key
from loket.api import pagination
from loket.api.auth import NotSignedIn, machine_auth, officer_auth, require_scope
from loket.api.responses import problems
from loket.cases import personal_data, policy, selectors, services, throttle
from loket.cases.api.schemas import (
    MAX_ID,
    TRACKING,
    ApplicationOut,
    CancelIn,
    CaseOut,
    DecisionIn,
    DecisionOut,
    ReceiptOut,
    TaskOut,
)
from loket.cases.api.serializers import (
    application_out,
    case_out,
    task_out,
    tracked_response,
)
from loket.cases.intake import Applicant
from loket.cases.models import Case, ReadChannel, Task
from loket.cases.policy import PersonalData
from loket.core import safeinput
from loket.core.errors import (
    AuthorityError,
    LoketError,
    NotFound,
    UnsupportedMediaType,
    ValidationError,
)
from loket.org.models import Officer

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


def signed_in_applicant(request: HttpRequest, *, changes_state: bool) -> Any:
    """The applicant signed in to the portal, if the request carries their session cookie.

    A browser sends that cookie with a form posted from any site (SameSite=Lax is not
    enough: top-level POSTs from a same-site page, older browsers), so a call that
    changes something is accepted on the strength of the cookie only with Django's
    CSRF token (the `X-CSRFToken` header), as the portal's own forms are.
    """
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        # Nobody is signed in without the cookie: skip building the lazy user (session,
        # OTP device), which the access-code reads would otherwise pay for every time.
        return None
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
    user = signed_in_applicant(request, changes_state=True)
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
        for error in exc.field_errors or []:
            error["field"] = _SUBMIT_FIELDS.get(error["field"], error["field"])
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
    user = signed_in_applicant(request, changes_state=False)
    tracked = throttle.row_with_access_code(
        request, tracking_number, x_access_code or access_code, user=user
    )
    return tracked_response(tracked)


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
    user = signed_in_applicant(request, changes_state=True)
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
    user = signed_in_applicant(request, changes_state=True)
    case = _require_case(tracking_number, x_access_code or access_code, request, user=user)
    case = services.cancel(case_id=case.pk, reason=body.reason, user=user)
    return application_out(case)


# -- officers' routes ---------------------------------------------------------------------

tasks = Router(tags=["officers"], auth=officer_auth)


_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[Tt ].+)?\Z")


def _iso_only(value: object) -> object:
    """pydantic also reads a number (`1.5`, `-3e-249`) as seconds since 1970; the query
    string promises ISO 8601, so anything else is refused, naming the parameter."""
    if isinstance(value, str) and not _ISO_MOMENT.match(value):
        raise ValueError("expected an ISO 8601 date-time, e.g. 2026-12-01T09:00:00+07:00")
    return value


IsoMoment = Annotated[dt.datetime, BeforeValidator(_iso_only)]


def _utc_moment(value: dt.datetime | None) -> dt.datetime | None:
    """A moment from the query string in UTC: PostgreSQL refuses offsets beyond ±15:59
    that ISO 8601 (and Python) allow, and a naive time is read in the site's zone.
    Moments beyond the calendar's ends in UTC are clamped to them (nothing is due then)."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        if value.year == dt.MINYEAR:
            return dt.datetime.min.replace(tzinfo=dt.UTC)
        return dt.datetime.max.replace(tzinfo=dt.UTC)


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
    due_before: IsoMoment | None = None,
) -> list[dict[str, Any]]:
    due_before = _utc_moment(due_before)
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
def get_task(request: HttpRequest, task_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
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
def claim(request: HttpRequest, task_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
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
