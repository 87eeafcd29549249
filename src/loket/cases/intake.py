"""Checking what an applicant sends against the service's requirements.

Every refusal is a `ValidationError` naming the field (`data.<name>`,
`documents.<name>`, `applicant.<name>`) with a message the applicant can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases.definition import Definition, localized
from loket.core.errors import ValidationError
from loket.core.identity import NikInfo, validate_nik
from loket.core.names import require_plain_name

PHONE = re.compile(r"^(\+62|62|0)8\d{7,12}$")
MAX_TEXT = 5000


@dataclass(frozen=True)
class Applicant:
    """Who applies and how to reach them (an e-mail address or a phone, or both)."""

    name: str
    nik: str
    email: str = ""
    phone: str = ""
    language: str = "id"


@dataclass(frozen=True)
class CleanApplicant:
    name: str
    nik: NikInfo
    email: str
    phone: str
    language: str


def normalize_phone(phone: str) -> str:
    digits = re.sub(r"[\s().-]", "", phone or "")
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def clean_applicant(applicant: Applicant) -> CleanApplicant:
    name = " ".join((applicant.name or "").split())
    if not name:
        raise ValidationError(_("Enter the applicant's name."), field="applicant.name")
    if len(name) > 200:
        raise ValidationError(_("The name is longer than 200 characters."), field="applicant.name")
    if _HIDDEN_CHARACTERS.search(name):
        raise ValidationError(
            _("The name contains invisible control characters; retype it."),
            field="applicant.name",
        )
    # The name goes into official mail and SMS: no links or markup in it.
    require_plain_name(name, field="applicant.name")
    try:
        nik = validate_nik(applicant.nik)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="applicant.nik", code=exc.code) from None
    email = (applicant.email or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationError(
                _("%(email)s is not a valid e-mail address.") % {"email": email[:100]},
                field="applicant.email",
            ) from None
    phone = normalize_phone(applicant.phone)
    if phone and not PHONE.match(phone):
        raise ValidationError(
            _("Enter an Indonesian mobile number, e.g. 0812 3456 7890."),
            field="applicant.phone",
        )
    if not email and not phone:
        raise ValidationError(
            _("Give an e-mail address or a mobile number so we can tell you about progress."),
            field="applicant.email",
        )
    language = applicant.language if applicant.language in {"id", "en"} else "id"
    return CleanApplicant(name, nik, email.lower(), phone, language)


# Control characters other than line breaks and tabs, and the bidirectional overrides
# and isolates (U+202A-202E, U+2066-2069) that make "Warung \u202elive" display as
# something else to the officer reading it.
_HIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_data(
    definition: Definition, data: dict[str, Any], *, language: str = "id", partial: bool = False
) -> dict[str, Any]:
    """Return the submitted data converted to the declared types; unknown names refused."""
    if not isinstance(data, dict):
        raise ValidationError(_("The data must be an object of field values."), field="data")
    fields = {f["name"]: f for f in definition.data_fields if "name" in f}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValidationError(
            _("This service has no field %(name)s.") % {"name": str(unknown[0])[:80]},
            field=f"data.{str(unknown[0])[:80]}",
        )
    clean: dict[str, Any] = {}
    for name, spec in fields.items():
        label = localized(spec.get("label"), language) or name
        value = data.get(name)
        if value is None or value == "":
            if spec.get("required") and not partial:
                raise ValidationError(
                    _("%(label)s is required.") % {"label": label}, field=f"data.{name}"
                )
            continue
        clean[name] = _convert(spec, value, label, f"data.{name}", language)
    _cross_check(definition, clean, fields, language)
    return clean


def _cross_check(
    definition: Definition, clean: dict[str, Any], fields: dict[str, Any], language: str
) -> None:
    """The definition's checks across fields, on cleaned values (only when both are given)."""
    for rule in (definition.raw.get("requirements") or {}).get("cross_checks") or []:
        if rule.get("kind") != "nik_birth_date":
            continue
        nik_name, date_name = rule.get("nik"), rule.get("date")
        if not clean.get(nik_name) or not clean.get(date_name):
            continue
        born = validate_nik(str(clean[nik_name])).birth_date
        if born.isoformat() != clean[date_name]:
            raise ValidationError(
                _("%(date)s does not agree with the birth date in %(nik)s (%(born)s).")
                % {
                    "date": localized(fields[date_name].get("label"), language) or date_name,
                    "nik": localized(fields[nik_name].get("label"), language) or nik_name,
                    "born": born.strftime("%d-%m-%Y"),
                },
                field=f"data.{date_name}",
                code="cross_check_nik_birth_date",
            )


def _convert(spec: dict[str, Any], value: Any, label: str, field: str, language: str) -> Any:
    kind = spec.get("type", "text")
    if kind in {"integer", "number", "decimal", "money"}:
        return _number(spec, value, label, field, integer=kind in {"integer", "money"})
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in {"true", "1", "yes", "ya", "on"}:
            return True
        if str(value).lower() in {"false", "0", "no", "tidak", "off"}:
            return False
        raise ValidationError(_("%(label)s must be yes or no.") % {"label": label}, field=field)
    if kind == "date":
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(
                _("%(label)s must be a date (YYYY-MM-DD).") % {"label": label}, field=field
            ) from None
        _date_within(spec, day, label, field)
        return day.isoformat()
    if isinstance(value, (dict, list)):
        raise ValidationError(_("%(label)s must be text.") % {"label": label}, field=field)
    text = str(value).strip()
    if kind == "nik":
        try:
            return validate_nik(text).nik
        except ValidationError as exc:
            raise ValidationError(f"{label}: {exc.message}", field=field, code=exc.code) from None
    if kind == "phone":
        phone = normalize_phone(text)
        if not PHONE.match(phone):
            raise ValidationError(
                _("%(label)s must be an Indonesian mobile number, e.g. 0812 3456 7890.")
                % {"label": label},
                field=field,
            )
        return phone
    if kind == "choice":
        allowed = [str(c.get("value")) for c in spec.get("choices") or [] if isinstance(c, dict)]
        if text not in allowed:
            raise ValidationError(
                _("%(label)s must be one of: %(choices)s.")
                % {"label": label, "choices": ", ".join(allowed)},
                field=field,
            )
        return text
    if kind == "email":
        try:
            validate_email(text)
        except DjangoValidationError:
            raise ValidationError(
                _("%(label)s must be an e-mail address.") % {"label": label}, field=field
            ) from None
    max_length = int(spec.get("max_length") or MAX_TEXT)
    if len(text) > max_length:
        raise ValidationError(
            _("%(label)s is longer than %(max)s characters.") % {"label": label, "max": max_length},
            field=field,
        )
    if _HIDDEN_CHARACTERS.search(text):
        raise ValidationError(
            _("%(label)s contains invisible control characters; retype it.") % {"label": label},
            field=field,
        )
    return text


def _date_within(spec: dict[str, Any], day: dt.date, label: str, field: str) -> None:
    def bound(value: Any) -> dt.date | None:
        if not value:
            return None
        return timezone.localdate() if value == "today" else dt.date.fromisoformat(str(value))

    low, high = bound(spec.get("min")), bound(spec.get("max"))
    if low is not None and day < low:
        raise ValidationError(
            _("%(label)s cannot be before %(date)s.")
            % {"label": label, "date": low.strftime("%d-%m-%Y")},
            field=field,
        )
    if high is not None and day > high:
        raise ValidationError(
            _("%(label)s cannot be after %(date)s.")
            % {"label": label, "date": high.strftime("%d-%m-%Y")},
            field=field,
        )


def _number(spec: dict[str, Any], value: Any, label: str, field: str, *, integer: bool) -> Any:
    try:
        if isinstance(value, bool):
            raise ValueError
        number: int | float = int(str(value).strip()) if integer else float(str(value).strip())
        if not integer and number != number:  # NaN
            raise ValueError
    except (ValueError, OverflowError):
        message = (
            _("%(label)s must be a whole number.") if integer else _("%(label)s must be a number.")
        )
        raise ValidationError(message % {"label": label}, field=field) from None
    low, high = spec.get("min"), spec.get("max")
    if low is not None and number < low:
        raise ValidationError(
            _("%(label)s must be at least %(min)s.") % {"label": label, "min": low}, field=field
        )
    if high is not None and number > high:
        raise ValidationError(
            _("%(label)s must be at most %(max)s.") % {"label": label, "max": high}, field=field
        )
    if abs(number) > 10**15:
        raise ValidationError(_("%(label)s is too large.") % {"label": label}, field=field)
    return number


def check_documents(
    definition: Definition,
    documents: dict[str, Any],
    *,
    language: str = "id",
    partial: bool = False,
) -> None:
    """Refuse unknown document names and, unless partial, missing required ones."""
    specs = {d["name"]: d for d in definition.document_requirements if "name" in d}
    unknown = sorted(set(documents) - set(specs))
    if unknown:
        raise ValidationError(
            _("This service does not ask for a document called %(name)s.")
            % {"name": str(unknown[0])[:80]},
            field=f"documents.{str(unknown[0])[:80]}",
        )
    if partial:
        return
    for name, spec in specs.items():
        if spec.get("required") and name not in documents:
            raise ValidationError(
                _("Upload %(label)s.") % {"label": localized(spec.get("label"), language) or name},
                field=f"documents.{name}",
            )


def document_limits(definition: Definition, name: str) -> tuple[list[str], int]:
    spec = next(d for d in definition.document_requirements if d.get("name") == name)
    types = [str(t) for t in spec.get("types") or ["pdf"]]
    max_mb = spec.get("max_size_mb")
    max_bytes = int(float(max_mb) * 1024 * 1024) if max_mb else settings.LOKET_MAX_UPLOAD_BYTES
    return types, min(max_bytes, settings.LOKET_MAX_UPLOAD_BYTES)


def file_digest(fileobj: IO[bytes] | Any) -> str:
    """SHA-256 of an upload, leaving it rewound for storing."""
    digest = hashlib.sha256()
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(64 * 1024), b""):
        if isinstance(chunk, str):
            chunk = chunk.encode()
        digest.update(chunk)
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    return digest.hexdigest()


def request_fingerprint(
    service_code: str, applicant: Applicant, data: dict[str, Any], documents: dict[str, str]
) -> str:
    """A hash of everything in a submission, to tell a retry from a different request."""
    body = {
        "service": service_code,
        "applicant": [applicant.name, applicant.nik, applicant.email, applicant.phone],
        "data": data,
        "documents": documents,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
