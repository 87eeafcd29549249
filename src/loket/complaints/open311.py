"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the complaints module.

Formats by extension, XML and JSON; errors as the spec's list of {code, description}
with 404 for unknown resources, 403 for a missing or wrong api_key and 400 for anything
else. Loket serves several jurisdictions, so `jurisdiction_id` is required. Confidential
complaints are never listed and answer 404; no GET returns personal data.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from loket.complaints import public_rows, selectors, services
from loket.complaints.models import (
    Category,
    Complaint,
    ComplaintPolicy,
    Status,
)
from loket.complaints.open311_auth import key_is_valid
from loket.core.errors import LoketError

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element name of each item in a list, for the XML form.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# -- rendering ----------------------------------------------------------------------------


def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _xml_fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        tag = ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _xml_fill(ET.SubElement(element, tag), item)
    else:
        element.text = _xml_value(value)


def _render(fmt: str, root: str, body: Any, status: int = 200) -> HttpResponse:
    """JSON is the spec's "Spark" mapping: a top-level list stands for the root element."""
    if fmt == "json":
        content = json.dumps(body, ensure_ascii=False)
    else:
        element = ET.Element(root)
        _xml_fill(element, body)
        content = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(
            element, encoding="unicode"
        )
    return HttpResponse(content.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _render(fmt, "errors", [{"code": status, "description": description}], status)


def _w3c(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _parse_w3c(value: str, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise Open311Error(
            400, f"{name} must be a W3C date-time with a time zone, e.g. 2026-03-17T10:00:00+07:00"
        )
    return moment


def _policy(request: HttpRequest) -> ComplaintPolicy:
    params = request.POST if request.method == "POST" else request.GET
    jurisdiction = params.get("jurisdiction_id", "").strip()
    if not jurisdiction:
        raise Open311Error(
            400, "jurisdiction_id was not provided: this endpoint serves several jurisdictions"
        )
    policy = selectors.policy_by_jurisdiction(jurisdiction)
    if policy is None:
        raise Open311Error(404, f"jurisdiction_id {jurisdiction[:80]!r} is not served here")
    return policy


def _handled(view: Any) -> Any:
    def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = view(request, fmt, **kwargs)
            return response
        except Open311Error as error:
            return _error(fmt, error.status, error.description)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# -- resources -------------------------------------------------------------------------------


@require_GET
@_handled
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    # The contract changes with the year's category file at most; a stable value per year.
    changeset = _w3c(
        timezone.localtime().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    )
    body = {
        "changeset": changeset,
        "contact": "Loket — pengaduan pelayanan publik",
        "key_service": "loket apikey create --name NAME --scope open311 (ask the agency)",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": settings.PUBLIC_BASE_URL + "/open311/v2",
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _render(fmt, "discovery", body)


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


@require_GET
@_handled
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    policy = _policy(request)
    return _render(
        fmt, "services", [_service(c) for c in selectors.categories_of(policy.agency_id)]
    )


@require_GET
@_handled
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    policy = _policy(request)
    category = selectors.category(policy.agency_id, code)
    if category is None:
        raise Open311Error(404, f"service_code {code[:80]!r} not found")
    attributes = [
        {
            "variable": True,
            "code": spec["code"],
            "datatype": spec["datatype"],
            "required": bool(spec["required"]),
            "datatype_description": spec.get("datatype_description", ""),
            "order": spec["order"],
            "description": spec["description"],
            **({"values": spec["values"]} if spec["values"] else {}),
        }
        for spec in category.attributes
    ]
    return _render(
        fmt, "service_definition", {"service_code": category.code, "attributes": attributes}
    )


class _Rows:
    """Writes public rows as a GeoReport v2 `service_requests` document.

    Each row's own fields are its pre-rendered fragment; the names and the status notes
    (or, without notes, the status label in the reader's language) are rendered once per
    distinct value and put in front. The result is what `_render` would write for the
    same fields, without building a dict or an element per row.
    """

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.labels = {str(value): str(label) for value, label in Status.choices}
        self._heads: dict[tuple[str, str, str, str], str] = {}

    def _head(self, row: selectors.PublicRow) -> str:
        notes = row.status_notes or self.labels.get(row.status, row.status)
        key = (row.category_name, row.category_code, row.unit_name, notes)
        head = self._heads.get(key)
        if head is None:
            fields = {
                "service_name": row.category_name,
                "service_code": row.category_code,
                "agency_responsible": row.unit_name,
                "status_notes": notes,
            }
            if self.fmt == "json":
                head = public_rows.json_members(fields)
            else:
                head = public_rows.xml_elements(fields)
            self._heads[key] = head
        return head

    def document(self, rows: list[selectors.PublicRow]) -> HttpResponse:
        if self.fmt == "json":
            content = (
                "[" + ", ".join("{" + self._head(r) + ", " + r.fragment + "}" for r in rows) + "]"
            )
        elif rows:
            content = (
                '<?xml version="1.0" encoding="utf-8"?><service_requests>'
                + "".join("<request>" + self._head(r) + r.fragment + "</request>" for r in rows)
                + "</service_requests>"
            )
        else:
            content = '<?xml version="1.0" encoding="utf-8"?><service_requests />'
        return HttpResponse(content.encode("utf-8"), content_type=CONTENT_TYPES[self.fmt])


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _statuses(value: str) -> bool | None:
    statuses = set(_list(value))
    unknown = statuses - {"open", "closed"}
    if unknown:
        raise Open311Error(400, "status must be open, closed or both (comma separated)")
    if len(statuses) == 1:
        return statuses == {"closed"}
    return None


def _query(request: HttpRequest, fmt: str) -> HttpResponse:
    policy = _policy(request)
    params = request.GET
    start = _parse_w3c(params.get("start_date", ""), "start_date")
    end = _parse_w3c(params.get("end_date", ""), "end_date")
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date")
    if start and end and end - start > selectors.OPEN311_WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    if start and not end:
        end = start + selectors.OPEN311_WINDOW
    if end and not start:
        start = end - selectors.OPEN311_WINDOW
    closed = _statuses(params.get("status", ""))
    ids = [i.upper() for i in _list(params.get("service_request_id", ""))]
    codes = _list(params.get("service_code", ""))
    # Uncached: every row is pre-rendered, so the answer is one indexed query and a join.
    rows = selectors.open311_requests(
        agency_id=policy.agency_id,
        fmt=fmt,
        request_ids=ids,
        service_codes=codes,
        start=start,
        end=end,
        closed=closed,
    )
    return _Rows(fmt).document(rows)


def _attributes(request: HttpRequest) -> dict[str, Any]:
    """`attribute[code]=v` and, for multi-value lists, `attribute[code][]=v1&...=v2`."""
    found: dict[str, Any] = {}
    for key in request.POST:
        if not key.startswith("attribute[") or not key.endswith("]"):
            continue
        if key.endswith("[]"):
            found[key[len("attribute[") : -3]] = request.POST.getlist(key)
        else:
            found[key[len("attribute[") : -1]] = request.POST.get(key)
    return found


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    policy = _policy(request)
    params = request.POST
    if not key_is_valid(params.get("api_key", ""), agency_id=policy.agency_id):
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    code = params.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided")
    if selectors.category(policy.agency_id, code) is None:
        raise Open311Error(404, f"service_code {code[:80]!r} not found")
    has_point = params.get("lat", "") != "" or params.get("long", "") != ""
    if not (has_point or params.get("address_string", "").strip() or params.get("address_id")):
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    name = " ".join(p for p in (params.get("first_name", ""), params.get("last_name", "")) if p)
    filed = services.Filed(
        category_code=code,
        description=params.get("description", ""),
        attributes=_attributes(request),
        latitude=params.get("lat"),
        longitude=params.get("long"),
        address=params.get("address_string", "") or params.get("address_id", ""),
        name=name,
        email=params.get("email", ""),
        phone=params.get("phone", ""),
        # Without a name the reporter chose not to be known.
        is_anonymous=not name,
        channel="open311",
    )
    try:
        filing = services.file_complaint(agency_id=policy.agency_id, filed=filed)
    except LoketError as error:
        status = 404 if error.status == 404 else 400
        field = f"{error.field}: " if error.field else ""
        raise Open311Error(status, f"{field}{error.message}") from None
    notice = (
        f"Access code {filing.access_code}: keep it to follow the complaint at "
        + settings.PUBLIC_BASE_URL
        + reverse("complaints:follow-form")
    )
    return _render(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": filing.complaint.tracking_number,
                "service_notice": notice,
            }
        ],
        status=201,
    )


@csrf_exempt  # an API for machine clients authenticated by api_key, not by cookie
@require_http_methods(["GET", "POST"])
@_handled
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _query(request, fmt)


@require_GET
@_handled
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    policy = _policy(request)
    complaint = selectors.by_tracking_number(request_id)
    if complaint is None or complaint.is_confidential or complaint.agency_id != policy.agency_id:
        raise Open311Error(404, f"service_request_id {request_id[:40]!r} not found")
    return _Rows(fmt).document([selectors.open311_request(complaint=complaint, fmt=fmt)])


@require_GET
@_handled
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    policy = _policy(request)
    try:
        value = uuid.UUID(token)
    except ValueError:
        raise Open311Error(404, "token not found") from None
    complaint = Complaint.objects.filter(token=value, agency_id=policy.agency_id).first()
    if complaint is None:
        raise Open311Error(404, "token not found")
    return _render(
        fmt,
        "service_requests",
        [{"service_request_id": complaint.tracking_number, "token": str(value)}],
    )
