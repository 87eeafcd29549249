"""Checking what an applicant sends against the service's requirements.

Every refusal is a `ValidationError` naming the field (`data.<name>`,
`documents.<name>`, `applicant.<name>`) with a message the applicant can act on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from loket.catalog.definitions import DefinitionFault, ServiceDefinition
from loket.catalog.fields import DataField, message_label
from loket.catalog.fields.builtin import HIDDEN_CHARACTERS, PHONE, normalize_phone
from loket.core.errors import ValidationError
from loket.core.identity import NikInfo, validate_nik
from loket.core.names import require_plain_name


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


def clean_applicant(applicant: Applicant) -> CleanApplicant:
    """The applicant's particulars normalised, or one error naming every one that is
    wrong (name, NIK, e-mail, phone, a way to reach them)."""
    problems: list[ValidationError] = []
    name = " ".join((applicant.name or "").split())
    try:
        _check_name(name)
    except ValidationError as exc:
        problems.append(exc)
    try:
        nik = validate_nik(applicant.nik)
    except ValidationError as exc:
        problems.append(ValidationError(exc.message, field="applicant.nik", code=exc.code))
    email = (applicant.email or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            problems.append(
                ValidationError(
                    _("%(email)s is not a valid e-mail address.") % {"email": email[:100]},
                    field="applicant.email",
                )
            )
    phone = normalize_phone(applicant.phone)
    if phone and not PHONE.match(phone):
        problems.append(
            ValidationError(
                _("Enter an Indonesian mobile number, e.g. 0812 3456 7890."),
                field="applicant.phone",
            )
        )
    if not email and not phone:
        problems.append(
            ValidationError(
                _("Give an e-mail address or a mobile number so we can tell you about progress."),
                field="applicant.email",
            )
        )
    if problems:
        raise ValidationError.of_all(problems)
    return CleanApplicant(name, nik, email.lower(), phone, applicant_language(applicant))


def applicant_language(applicant: Applicant) -> str:
    """The language the applicant chose for their notifications (Indonesian unless English)."""
    return applicant.language if applicant.language in {"id", "en"} else "id"


def _check_name(name: str) -> None:
    if not name:
        raise ValidationError(_("Enter the applicant's name."), field="applicant.name")
    if len(name) > 200:
        raise ValidationError(_("The name is longer than 200 characters."), field="applicant.name")
    if HIDDEN_CHARACTERS.search(name):
        raise ValidationError(
            _("The name contains invisible control characters; retype it."),
            field="applicant.name",
        )
    # The name goes into official mail and SMS: no links or markup in it.
    require_plain_name(name, field="applicant.name")


def clean_data(
    definition: ServiceDefinition,
    data: dict[str, Any],
    *,
    language: str = "id",
    partial: bool = False,
) -> dict[str, Any]:
    """Return the submitted data converted to the declared types; unknown names refused.

    Each field's registered type does the converting (loket.catalog.fields)."""
    if not isinstance(data, dict):
        raise ValidationError(_("The data must be an object of field values."), field="data")
    fields = {f.name: f for f in definition.data_fields}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValidationError(
            _("This service has no field %(name)s.") % {"name": str(unknown[0])[:80]},
            field=f"data.{str(unknown[0])[:80]}",
        )
    clean: dict[str, Any] = {}
    # Every field is checked, so the applicant (or the client) learns all that is wrong
    # in one answer; the first is the error's own message and field.
    problems: list[ValidationError] = []
    for name, spec in fields.items():
        value = data.get(name)
        if value is None or value == "":
            if spec.required and not partial:
                problems.append(
                    ValidationError(
                        _("%(label)s is required.") % {"label": message_label(spec, language)},
                        field=f"data.{name}",
                    )
                )
            continue
        try:
            clean[name] = spec.clean(value, language=language)
        except ValidationError as exc:
            problems.append(exc)
    if problems:
        raise ValidationError.of_all(problems)
    _cross_check(definition, clean, fields, language)
    return clean


def _cross_check(
    definition: ServiceDefinition,
    clean: dict[str, Any],
    fields: dict[str, DataField],
    language: str,
) -> None:
    """The definition's checks across fields, on cleaned values (only when both are given)."""
    for rule in definition.cross_checks:
        if rule.get("kind") != "nik_birth_date":
            continue
        nik_name, date_name = str(rule.get("nik")), str(rule.get("date"))
        if not clean.get(nik_name) or not clean.get(date_name):
            continue
        born = validate_nik(str(clean[nik_name])).birth_date
        if born.isoformat() != clean[date_name]:
            raise ValidationError(
                _("%(date)s does not agree with the birth date in %(nik)s (%(born)s).")
                % {
                    "date": message_label(fields[date_name], language),
                    "nik": message_label(fields[nik_name], language),
                    "born": born.strftime("%d-%m-%Y"),
                },
                field=f"data.{date_name}",
                code="cross_check_nik_birth_date",
            )


def check_documents(
    definition: ServiceDefinition,
    documents: dict[str, Any],
    *,
    language: str = "id",
    partial: bool = False,
) -> None:
    """Refuse unknown document names and, unless partial, missing required ones (all of
    them in one error, in the definition's order)."""
    specs = {d.name: d for d in definition.document_requirements}
    problems = [
        ValidationError(
            _("This service does not ask for a document called %(name)s.")
            % {"name": str(name)[:80]},
            field=f"documents.{str(name)[:80]}",
        )
        for name in sorted(set(documents) - set(specs))
    ]
    if not partial:
        problems += [
            ValidationError(
                _("Upload %(label)s.") % {"label": message_label(spec, language)},
                field=f"documents.{name}",
            )
            for name, spec in specs.items()
            if spec.required and name not in documents
        ]
    if problems:
        raise ValidationError.of_all(problems)


def check_application(
    definition: ServiceDefinition,
    applicant: Applicant,
    data: dict[str, Any],
    documents: dict[str, Any],
) -> tuple[CleanApplicant, dict[str, Any]]:
    """The cleaned applicant and data of a new application, or one error listing every
    bad particular of the applicant, every bad data field and every missing or unknown
    document, so that it is all fixed in one round."""
    language = applicant_language(applicant)
    problems: list[ValidationError] = []
    clean: CleanApplicant | None = None
    cleaned: dict[str, Any] = {}
    try:
        clean = clean_applicant(applicant)
    except ValidationError as exc:
        problems.append(exc)
    try:
        cleaned = clean_data(definition, data, language=language)
    except ValidationError as exc:
        problems.append(exc)
    try:
        check_documents(definition, documents, language=language)
    except ValidationError as exc:
        problems.append(exc)
    if problems or clean is None:
        raise ValidationError.of_all(problems)
    return clean, cleaned


def document_limits(definition: ServiceDefinition, name: str) -> tuple[list[str], int]:
    """The file types and size limit of a declared document (after check_documents)."""
    spec = definition.document(name)
    if spec is None:
        raise DefinitionFault(f"the service definition has no document {name!r}")
    return list(spec.types), spec.max_bytes


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
