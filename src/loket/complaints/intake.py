"""Cleaning what a complainant sends: text, location, attributes, contact data."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from loket.complaints.models import Category
from loket.core.errors import ValidationError

MAX_TEXT = 4000
MAX_PHOTOS = 3
PHOTO_TYPES = ("jpeg", "png")
# Something that a browser would read as markup: a tag, a comment, a declaration.
_HTML = re.compile(r"<\s*[a-zA-Z!/?]")


def clean_text(value: Any, *, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(_("Write what happened."), field=field, code="required")
    if len(text) > limit:
        raise ValidationError(
            _("The text is %(length)d characters long; at most %(limit)d are allowed.")
            % {"length": len(text), "limit": limit},
            field=field,
            code="too_long",
        )
    if _HTML.search(text):
        raise ValidationError(
            _("Write plain text without HTML tags (no “<” followed by a letter)."),
            field=field,
            code="html",
        )
    return text


@dataclass(frozen=True)
class Location:
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address: str = ""


def _coordinate(value: Any, field: str, bound: int) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Give a number in decimal degrees."), field=field) from None
    if not number.is_finite() or not -bound <= number <= bound:
        raise ValidationError(
            _("Give a number between -%(bound)d and %(bound)d.") % {"bound": bound}, field=field
        )
    return number.quantize(Decimal("0.000001"))


def clean_location(latitude: Any, longitude: Any, address: Any) -> Location:
    """Both coordinates or neither (WGS84), and/or an address of at most 300 characters."""
    lat_given = latitude not in (None, "")
    long_given = longitude not in (None, "")
    if lat_given != long_given:
        missing = "long" if lat_given else "lat"
        raise ValidationError(
            _("Give both latitude and longitude, or neither."), field=missing, code="location"
        )
    address_text = clean_text(address, field="address_string", required=False, limit=300)
    if not lat_given:
        return Location(address=address_text)
    return Location(
        latitude=_coordinate(latitude, "lat", 90),
        longitude=_coordinate(longitude, "long", 180),
        address=address_text,
    )


@dataclass(frozen=True)
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""


def clean_contact(name: Any, email: Any, phone: Any) -> Contact:
    name_text = clean_text(name, field="name", required=False, limit=200)
    email_text = str(email or "").strip()
    if email_text:
        try:
            validate_email(email_text)
        except DjangoValidationError:
            raise ValidationError(_("Enter a valid e-mail address."), field="email") from None
    phone_text = re.sub(r"[\s.-]", "", str(phone or ""))
    if phone_text and not re.fullmatch(r"\+?[0-9]{8,15}", phone_text):
        raise ValidationError(_("Enter a phone number of 8 to 15 digits."), field="phone")
    return Contact(name=name_text, email=email_text[:254], phone=phone_text)


def _attribute_value(spec: dict[str, Any], value: Any, field: str) -> Any:
    datatype = spec["datatype"]
    keys = {v["key"] for v in spec.get("values", [])}
    if datatype == "multivaluelist":
        chosen = value if isinstance(value, list) else [value]
        chosen = [str(v) for v in chosen if str(v)]
        unknown = [v for v in chosen if v not in keys]
        if unknown:
            raise ValidationError(_("Unknown choice: %(v)s") % {"v": unknown[0][:40]}, field=field)
        return chosen
    if isinstance(value, list):
        value = value[0] if value else ""
    text = str(value).strip()
    if datatype == "singlevaluelist" and text not in keys:
        raise ValidationError(_("Unknown choice: %(v)s") % {"v": text[:40]}, field=field)
    if datatype == "number":
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(_("Give a number."), field=field) from None
        return number
    if datatype == "datetime":
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None or moment.utcoffset() is None:
            raise ValidationError(
                _("Give a date and time with a time zone, e.g. 2026-03-17T10:00:00+07:00."),
                field=field,
            )
        return moment.astimezone(dt.UTC).isoformat()
    limit = MAX_TEXT if datatype == "text" else 300
    return clean_text(text, field=field, required=False, limit=limit)


def clean_attributes(category: Category, raw: dict[str, Any]) -> dict[str, Any]:
    """The category's attributes from `raw` (unknown keys ignored), required ones present."""
    cleaned: dict[str, Any] = {}
    for spec in category.attributes:
        code = spec["code"]
        field = f"attribute[{code}]"
        value = raw.get(code)
        if value in (None, "", []):
            if spec.get("required"):
                raise ValidationError(
                    _("Answer “%(question)s”.") % {"question": spec["description"]},
                    field=field,
                    code="required",
                )
            continue
        cleaned[code] = _attribute_value(spec, value, field)
    return cleaned
