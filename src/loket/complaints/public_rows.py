"""Open311 request rows rendered once, when the complaint is saved (ADR 0023).

`GET requests` returns up to 1,000 requests per call; rendering each from a model in
Python cost 0.5 to 2 s. Each complaint instead keeps its own GeoReport v2 fields as a
JSON fragment and an XML fragment, written by `Complaint.save`. A GET reads the
fragments of the page in one query and joins them with the few parts that do not belong
to the row: the category's and unit's names (they can be renamed) and the status label
shown when there are no status notes (in the reader's language).

Times are written in the receiving agency's own zone (`Agency.time_zone`: WIB, WITA or
WIT) with its offset; after an agency's zone changes, `loket complaint-rows refresh`
renders its rows again. Only public fields go in: the GeoReport v2 GET fields carry no
personal data, and a confidential complaint is never listed (the query filters it out).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from loket.complaints.models import CLOSED_STATUSES

# An agency with no zone set (or an unknown one) reads Western Indonesian Time.
DEFAULT_ZONE = "Asia/Jakarta"


def zone_named(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ValueError, KeyError):  # not an IANA name: never a 500 for a typo in the admin
        return ZoneInfo(DEFAULT_ZONE)


def agency_zone(complaint: Any) -> dt.tzinfo:
    """The receiving agency's time zone: Open311 date-times are the office's own clock
    (WIB/WITA/WIT) with its offset. No query when the agency is already loaded."""
    field = type(complaint)._meta.get_field("agency")
    if field.is_cached(complaint):
        return zone_named(complaint.agency.time_zone)
    from loket.org.models import Agency

    name = Agency.objects.filter(pk=complaint.agency_id).values_list("time_zone", flat=True)
    return zone_named(name.first() or DEFAULT_ZONE)


def w3c(moment: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(zone).isoformat("T", "seconds")


def _coordinate(value: Any) -> float | None:
    return float(value) if value is not None and value != "" else None


def own_fields(complaint: Any, zone: dt.tzinfo) -> dict[str, Any]:
    """The request fields that come from the complaint row itself, in the spec's order."""
    closed = complaint.status in CLOSED_STATUSES
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


def render(complaint: Any, zone: dt.tzinfo | None = None) -> tuple[str, str]:
    """(JSON members, XML elements) of the complaint's own public fields, with times in
    `zone` (by default the receiving agency's)."""
    fields = own_fields(complaint, zone or agency_zone(complaint))
    return json_members(fields), xml_elements(fields)


def refresh(complaint: Any, zone: dt.tzinfo | None = None) -> None:
    """Set the complaint's fragments from its current columns (no query when the agency
    is loaded or the zone given)."""
    complaint.public_json, complaint.public_xml = render(complaint, zone)


def refresh_agency(agency_id: int, batch_size: int = 2000) -> int:
    """Render again every fragment of an agency's complaints (after its time zone
    changed); returns how many. Batches of `batch_size`, each one UPDATE per row."""
    from loket.complaints.models import Complaint
    from loket.org.models import Agency

    zone = zone_named(Agency.objects.get(pk=agency_id).time_zone)
    done, last = 0, 0
    pending = Complaint.objects.filter(agency_id=agency_id).order_by("pk")
    pending = pending.defer("reporter_name", "reporter_email", "reporter_phone")
    while batch := list(pending.filter(pk__gt=last)[:batch_size]):
        for complaint in batch:
            refresh(complaint, zone)
        Complaint.objects.bulk_update(batch, ["public_json", "public_xml"])
        done, last = done + len(batch), batch[-1].pk
    return done
