"""Complaint resources of the Loket REST API: categories, filing, the public watchdog view.

Errors are problem+json like the rest of /api/v1; nothing here returns personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from loket.api import pagination
from loket.api.responses import problems
from loket.cases import throttle
from loket.complaints import selectors, services
from loket.complaints.models import Complaint, ComplaintPolicy
from loket.core.errors import NotFound, ValidationError

router = Router(tags=["complaints"])


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    group: str
    description: str
    attributes: list[dict[str, Any]]


class ComplaintEventOut(Schema):
    at: datetime
    kind: str
    position: str = Field(description="the position that acted, if an officer did")
    text: str


class ComplaintOut(Schema):
    tracking_number: str
    category: str
    unit: str
    status: str
    tier: str
    received_at: datetime
    verify_due_at: datetime | None
    verified_on_time: bool | None
    due_at: datetime | None
    answered_on_time: bool | None
    closed_at: datetime | None
    description: str
    events: list[ComplaintEventOut] = []


class ComplaintIn(Schema):
    jurisdiction_id: str = Field(max_length=120, examples=["kotacontoh.go.id"])
    category: str = Field(max_length=64)
    description: str = Field(max_length=4000)
    subject: str = Field("service", max_length=12)
    service_code: str = Field("", max_length=80)
    unit_code: str = Field("", max_length=64)
    case_tracking_number: str = Field("", max_length=32)
    case_access_code: str = Field("", max_length=20)
    attributes: dict[str, str | list[str]] = Field(default_factory=dict)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=300)
    is_confidential: bool = False
    is_anonymous: bool = False
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    language: str = Field("id", pattern="^(id|en)$")


class ComplaintReceiptOut(Schema):
    tracking_number: str
    access_code: str = Field(description="shown once; with the number it opens the complaint")
    status: str
    verify_due_at: datetime | None


class ListQuery(Schema):
    jurisdiction_id: str = Field(max_length=120)
    limit: int = Field(25, ge=1, le=100)
    cursor: str = Field(
        "",
        max_length=pagination.MAX_CURSOR_LENGTH,
        description="from the previous page's `Link` header (opaque)",
    )
    offset: int = Field(
        0, ge=0, le=100_000, description="rows to skip on a first page; prefer `cursor`"
    )


# Newest first; the id breaks ties between complaints received in the same microsecond.
PUBLIC_ORDER = ("-received_at", "-pk")


def _policy(jurisdiction_id: str) -> ComplaintPolicy:
    policy = selectors.policy_by_jurisdiction(jurisdiction_id)
    if policy is None:
        raise NotFound(_("There is no such jurisdiction."), field="jurisdiction_id")
    return policy


def _out(complaint: Complaint, *, with_events: bool = False) -> dict[str, Any]:
    events = []
    if with_events:
        events = [
            {
                "at": e.at,
                "kind": e.kind,
                "position": e.position.title if e.position else "",
                "text": e.text,
            }
            for e in selectors.public_events(complaint)
        ]
    return {
        "tracking_number": complaint.tracking_number,
        "category": complaint.category.code,
        "unit": complaint.unit.name,
        "status": complaint.status,
        "tier": complaint.tier,
        "received_at": complaint.received_at,
        "verify_due_at": complaint.verify_due_at,
        "verified_on_time": complaint.verified_on_time,
        "due_at": complaint.due_at,
        "answered_on_time": complaint.answered_on_time,
        "closed_at": complaint.closed_at,
        "description": complaint.description,
        "events": events,
    }


@router.get(
    "/categories",
    response=list[CategoryOut],
    summary="The complaint categories of a jurisdiction",
    openapi_extra=problems(404, 422),
)
def categories(request: HttpRequest, jurisdiction_id: str = Query(..., max_length=120)) -> Any:
    policy = _policy(jurisdiction_id)
    return selectors.categories_of(policy.agency_id)


@router.get(
    "",
    response=list[ComplaintOut],
    summary="Public complaints of a jurisdiction, newest first (confidential ones never)",
    description=(
        "Pages of `limit` complaints. When there are more, the response's `Link` header "
        'carries the next page\'s URL (`rel="next"`, RFC 8288) with an opaque `cursor`: '
        "each page is one index range however deep, and a complaint filed meanwhile "
        "neither repeats nor skips a row. `offset` still works on a first page."
    ),
    openapi_extra=problems(404, 422),
)
def public_list(request: HttpRequest, response: HttpResponse, query: Query[ListQuery]) -> Any:
    policy = _policy(query.jurisdiction_id)
    if query.cursor and query.offset:
        raise ValidationError(_("Give either a cursor or an offset, not both."), field="offset")
    state = pagination.read_cursor(
        query.cursor, salt="complaints", query={"jurisdiction_id": query.jurisdiction_id}
    )
    page = pagination.keyset_page(
        selectors.public_complaints(policy.agency_id),
        order=PUBLIC_ORDER,
        limit=query.limit,
        state=state,
        salt="complaints",
        offset=query.offset,
    )
    if page.next_cursor:
        response["Link"] = pagination.next_link(request, page.next_cursor, drop=("offset",))
    return [_out(c) for c in page.items]


@router.get(
    "/{tracking_number}",
    response=ComplaintOut,
    summary="One public complaint with its stages and answers",
    openapi_extra=problems(404),
)
def public_detail(request: HttpRequest, tracking_number: str) -> Any:
    complaint = selectors.by_tracking_number(tracking_number[:32])
    if complaint is None or complaint.is_confidential:
        raise NotFound(_("There is no such public complaint."), field="tracking_number")
    return _out(complaint, with_events=True)


@router.post(
    "",
    response={201: ComplaintReceiptOut},
    summary="File a complaint (the access code is in the receipt, once)",
    openapi_extra=problems(400, 404, 422, 429),
)
def file_complaint(request: HttpRequest, body: ComplaintIn) -> Any:
    policy = _policy(body.jurisdiction_id)
    user = request.user if request.user.is_authenticated else None
    # The same brake as applications: each complaint mails and texts the contact it names.
    throttle.reserve_submission(request, email=body.email or "", phone=body.phone or "")
    filing = services.file_complaint(
        agency_id=policy.agency_id,
        filed=services.Filed(
            category_code=body.category,
            description=body.description,
            subject=body.subject,
            service_code=body.service_code,
            unit_code=body.unit_code,
            case_tracking_number=body.case_tracking_number,
            case_access_code=body.case_access_code,
            attributes=dict(body.attributes),
            latitude=body.latitude,
            longitude=body.longitude,
            address=body.address,
            is_confidential=body.is_confidential,
            is_anonymous=body.is_anonymous,
            name=body.name,
            email=body.email,
            phone=body.phone,
            language=body.language,
            channel="api",
        ),
        user=user,
    )
    complaint = filing.complaint
    return Status(
        201,
        {
            "tracking_number": complaint.tracking_number,
            "access_code": filing.access_code,
            "status": complaint.status,
            "verify_due_at": complaint.verify_due_at,
        },
    )
