"""Open311 request rows rendered once, when the complaint is saved (ADR 0023).

`GET requests` returns up to 1,000 requests per call; rendering each from a model in
Python cost 0.5 to 2 s. Each complaint instead keeps its own GeoReport v2 fields as a
JSON fragment and an XML fragment, written by `Complaint.save`. A GET reads the
fragments of the page in one query and joins them with the few parts that do not belong
to the row: the category's and unit's names (they can be renamed) and the status label
shown when there are no status notes (in the reader's language).

Only public fields go in: the GeoReport v2 GET fields carry no personal data, and a
confidential complaint is never listed (the query filters it out).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings

from loket.complaints.models import CLOSED_STATUSES

# Rendered in the site's time zone with its offset, as every Open311 date-time is.
_ZONE_NAME = settings.TIME_ZONE


def _zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(_ZONE_NAME)


def w3c(moment: dt.datetime | None, zone: dt.tzinfo | None = None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(zone or _zone()).isoformat("T", "seconds")


def _coordinate(value: Any) -> float | None:
    return float(value) if value is not None and value != "" else None


def own_fields(complaint: Any, zone: dt.tzinfo | None = None) -> dict[str, Any]:
    """The request fields that come from the complaint row itself, in the spec's order."""
    closed = complaint.status in CLOSED_STATUSES
    zone = zone or _zone()
    return {
        "service_request_id": complaint.tracking_number,
        "status": "closed" if closed else "open",
        "description": complaint.description,
        "service_notice": "",
        "requested_datetime": w3c(complaint.received_at, zone),
        "updated_datetime": w3c(complaint.closed_at if closed else complaint.updated_at, zone),
        "expected_datetime": w3c(complaint.due_at or complaint.verify_due_at, zone),
        "address": complaint.address,
        "address_id": "",
        "zipcode": "",
        "lat": _coordinate(complaint.latitude),
        "long": _coordinate(complaint.longitude),
        "media_url": "",
    }


def xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def xml_elements(fields: dict[str, Any]) -> str:
    """`<name>value</name>…` for flat fields, serialised as ElementTree serialises them."""
    wrapper = ET.Element("x")
    for name, value in fields.items():
        ET.SubElement(wrapper, name).text = xml_value(value)
    text = ET.tostring(wrapper, encoding="unicode")
    return text[len("<x>") : -len("</x>")] if text != "<x />" else ""


def json_members(fields: dict[str, Any]) -> str:
    """`"name": value, …` (the inside of a JSON object, as json.dumps writes it)."""
    return json.dumps(fields, ensure_ascii=False)[1:-1]


def render(complaint: Any) -> tuple[str, str]:
    """(JSON members, XML elements) of the complaint's own public fields."""
    fields = own_fields(complaint)
    return json_members(fields), xml_elements(fields)


def refresh(complaint: Any) -> None:
    """Set the complaint's fragments from its current columns (no query)."""
    complaint.public_json, complaint.public_xml = render(complaint)
