"""`{{ moment|agency_time:case.agency }}`: a time as the agency's office reads it, with its zone.

"05-12-2026 14:30 WITA" for an agency in Makassar: an applicant in another zone
must not guess whose clock a deadline is on.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import template

from loket.org.models import ZONE_ABBREVIATIONS

register = template.Library()

DEFAULT_ZONE = "Asia/Jakarta"


def zone_of(agency: Any) -> tuple[zoneinfo.ZoneInfo, str]:
    name = getattr(agency, "time_zone", "") or DEFAULT_ZONE
    return zoneinfo.ZoneInfo(name), ZONE_ABBREVIATIONS.get(name, name)


def in_agency_zone(moment: dt.datetime, agency: Any, pattern: str = "%d-%m-%Y %H:%M") -> str:
    zone, label = zone_of(agency)
    return f"{moment.astimezone(zone).strftime(pattern)} {label}"


@register.filter
def agency_time(moment: Any, agency: Any) -> str:
    if not isinstance(moment, dt.datetime):
        return ""
    return in_agency_zone(moment, agency)


@register.filter
def agency_date(moment: Any, agency: Any) -> str:
    if not isinstance(moment, dt.datetime):
        return ""
    zone, _label = zone_of(agency)
    return moment.astimezone(zone).strftime("%d-%m-%Y")
