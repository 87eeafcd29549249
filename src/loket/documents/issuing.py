"""Issuing a document in three phases, so signing never runs inside a transaction.

1. `reserve`: a short transaction draws the number (under the agency's
   sequence lock, released at once) and takes a lease on the request.
2. `sign`: render and sign, outside any transaction: a slow HSM or remote
   signer holds no lock and no connection in a transaction.
3. `record`: in the caller's transaction (the case engine holds the case
   lock), store the PDF, append `document.issued` to the ledger and create the
   `IssuedDocument`, only if this worker still holds the latest lease.

`issue_certificate` (documents.services) runs the same phases in one
transaction for callers that issue directly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.catalog.definitions import compiled
from loket.core import prepared
from loket.core.errors import ConflictError, ValidationError
from loket.documents import codes, numbering, pdf, signing
from loket.documents.models import IssuedDocument, IssueRequest
from loket.ledger import commitments
from loket.ledger.services import append as ledger_append
from loket.org.models import Officer, Position, Unit
from loket.org.selectors import Holding


@dataclass(frozen=True)
class Plan:
    """Everything the document prints and records, fixed before the number is drawn."""

    case: Any
    officer: Officer
    position: Position
    holding: Holding
    unit: Unit
    document_type: str
    pattern: str
    classification: str
    document_access: str
    at: dt.datetime
    public: list[tuple[str, str]]
    decision: str


@dataclass(frozen=True)
class Reserved:
    """A plan with its number, verification code and commitment salt."""

    plan: Plan
    document_id: uuid.UUID
    number: str
    code: str
    salt: bytes


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    signer_subject: str


@dataclass(frozen=True)
class Lease:
    """A worker's hold on a request: `token` must still be the request's latest."""

    request_id: int
    case_id: int
    token: int


def plan(
    *,
    case: Any,
    fields: Mapping[str, Any] | Iterable[tuple[str, Any]],
    officer: Officer,
    position: Position,
    capacity: str | None,
    decision: str | None,
    at: dt.datetime,
) -> Plan:
    """Check the signer's authority at `at` and the definition; no writes."""
    from loket.documents import services

    holding = services.require_holding(officer, position, at, capacity)
    compiled_definition = compiled(case.service_version)
    definition: dict[str, Any] = compiled_definition.raw
    product, archive = compiled_definition.product, compiled_definition.archive
    pattern = product.number_pattern
    if not pattern:
        raise ValidationError(
            _("The service definition has no document number pattern."), field="number_pattern"
        )
    numbering.validate_pattern(pattern)
    document_type = services.indonesian(product.document_type) or services.indonesian(
        definition.get("name")
    )
    return Plan(
        case=case,
        officer=officer,
        position=position,
        holding=holding,
        unit=services.issuing_unit(case.agency, definition, position),
        document_type=document_type,
        pattern=pattern,
        classification=archive.classification,
        document_access=archive.document_access,
        at=at,
        public=[(str(label), services.text(value)) for label, value in services.pairs(fields)],
        decision=decision or services.default_decision(document_type),
    )


def draw_number(the_plan: Plan) -> str:
    """The agency's next number (inside the caller's transaction)."""
    return numbering.next_number(
        the_plan.case.agency,
        the_plan.pattern,
        the_plan.at,
        unit=the_plan.unit.code,
        classification=the_plan.classification,
    )


def sign(reserved: Reserved) -> Signed:
    """Render and sign; touches no table. Raises `SigningUnavailable` if the signer fails."""
    from loket.documents import services

    the_plan, case = reserved.plan, reserved.plan.case
    try:
        with signing.agency_signer(case.agency.code, case.agency.name) as signer:
            content = pdf.CertificateContent(
                agency_name=case.agency.name,
                unit_name=the_plan.unit.name,
                agency_address=case.agency.address,
                agency_contact=services.contact_line(case.agency),
                document_type=the_plan.document_type,
                number=reserved.number,
                applicant_fields=the_plan.public,
                decision=the_plan.decision,
                place=services.place_of(case.agency),
                issued_on=_local_date(the_plan.at),
                position_title=the_plan.position.title,
                officer_name=the_plan.officer.name,
                officer_nip=the_plan.officer.nip,
                capacity=str(the_plan.holding.capacity),
                validity=services.indonesian(compiled(case.service_version).product.validity),
                legal_basis=[
                    str(item) for item in case.service_version.definition.get("legal_basis") or []
                ],
                verification_url=services.verification_url(reserved.code),
                verification_code=codes.formatted(reserved.code),
                signature_issuer=signer.issuer_name,
                crest_png=bytes(case.agency.crest_png or b""),
            )
            signed = signing.sign_pdf(
                pdf.render_certificate(content),
                signer=signer,
                reason=f"Penerbitan {the_plan.document_type} Nomor {reserved.number}",
                location=content.place,
            )
            subject = str(signer.certificate.subject.human_friendly)
    except signing.signer_failures() as exc:
        raise signing.SigningUnavailable(
            _("The signer could not sign the document: %(error)s") % {"error": exc},
            code="signing_unavailable",
        ) from exc
    return Signed(pdf=signed, signer_subject=subject)


def record(reserved: Reserved, signed: Signed) -> IssuedDocument:
    """Store the signed PDF, append `document.issued`, create the document (caller's tx)."""
    from loket.documents import services

    the_plan, case = reserved.plan, reserved.plan.case
    if IssuedDocument.objects.filter(case=case, revoked_at__isnull=True).exists():
        raise ConflictError(_("This application already has an issued document in force."))
    stored = services.store_bytes(signed.pdf, f"{reserved.number}.pdf")
    capacity = str(the_plan.holding.capacity)
    entry = ledger_append(
        kind="document.issued",
        payload={
            "commitment": services.document_commitment(reserved.salt, reserved.number),
            "document_type": the_plan.document_type,
            "sha256": stored.sha256,
            "issued_at": the_plan.at,
            "agency": case.agency.code,
            "position": the_plan.position.code,
            "capacity": capacity,
        },
    )
    return IssuedDocument.objects.create(
        id=reserved.document_id,
        case=case,
        agency=case.agency,
        number=reserved.number,
        document_type=the_plan.document_type,
        pdf=stored,
        sha256=stored.sha256,
        issued_at=the_plan.at,
        issued_by=the_plan.officer,
        issued_position=the_plan.position,
        issued_capacity=capacity,
        public_fields={"fields": [list(pair) for pair in the_plan.public]},
        signer_subject=signed.signer_subject[:300],
        ledger_index=entry.index,
        verification_code=reserved.code,
        verification_digest=codes.digest(reserved.code),
        commitment_salt=commitments.encode_salt(reserved.salt),
        archive_code=the_plan.classification,
        access_class=the_plan.document_access,
    )


# -- requests: issuing in the worker ------------------------------------------------


def request_issue(
    *,
    case: Any,
    step_id: str,
    branch: str,
    officer: Officer,
    position: Position,
    capacity: str,
    at: dt.datetime,
) -> IssueRequest:
    """Ask for the case's document, inside the approval's transaction (one open per case)."""
    request: IssueRequest = prepared.new(
        IssueRequest,
        case=case,
        step_id=step_id,
        branch=branch,
        officer=officer,
        position=position,
        capacity=capacity,
        approved_at=at,
    )
    prepared.insert_rows([request])  # one statement built once (issue 11)
    return request


def open_request(case_id: int) -> IssueRequest | None:
    return IssueRequest.objects.filter(case_id=case_id, done_at__isnull=True).first()


def open_request_by_id(request_id: int) -> IssueRequest | None:
    return IssueRequest.objects.filter(pk=request_id, done_at__isnull=True).first()


def lease_seconds() -> int:
    """How long a worker may take to sign before another may take the request over."""
    return int(getattr(settings, "LOKET_ISSUE_LEASE_SECONDS", 120))


def due_requests(*, now: dt.datetime) -> list[int]:
    """Open requests no worker holds a live lease on (never started, failed or abandoned)."""
    return list(
        IssueRequest.objects.filter(done_at__isnull=True)
        .exclude(lease_until__gt=now)
        .order_by("requested_at")
        .values_list("pk", flat=True)
    )


def reserve(
    *, request_id: int, fields: Iterable[tuple[str, Any]], now: dt.datetime
) -> tuple[Lease, Reserved] | None:
    """Take a lease on an open request and give it its number (drawn once, kept).

    Its own short transaction; None when the request is done or another
    worker holds a live lease. Raises `LoketError` if the document cannot be
    planned (authority lapsed, no number pattern): the request stays open.
    """
    with transaction.atomic():
        request = (
            IssueRequest.objects.select_for_update()
            .select_related("case__agency", "case__service_version", "officer", "position")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.done_at is not None:
            return None
        if request.lease_until is not None and request.lease_until > now:
            return None
        the_plan = plan(
            case=request.case,
            fields=fields,
            officer=request.officer,
            position=request.position,
            capacity=request.capacity or None,
            decision=None,
            at=request.approved_at,
        )
        if not request.number:
            request.number = draw_number(the_plan)
            request.verification_code = codes.new_code()
            request.commitment_salt = commitments.encode_salt(commitments.new_salt())
        request.attempts += 1
        request.lease_until = now + dt.timedelta(seconds=lease_seconds())
        request.save(
            update_fields=[
                "number",
                "verification_code",
                "commitment_salt",
                "attempts",
                "lease_until",
            ]
        )
    lease = Lease(request_id=request.pk, case_id=request.case_id, token=request.attempts)
    return lease, _reserved(request, the_plan)


def release(lease: Lease, error: str) -> None:
    """Give the request back after a failure, so the next sweep retries it at once."""
    IssueRequest.objects.filter(pk=lease.request_id, attempts=lease.token).update(
        lease_until=None, last_error=error[:1000]
    )


def abandon(request_id: int, reason: str) -> None:
    """Close a request whose case no longer waits for it (withdrawn meanwhile)."""
    IssueRequest.objects.filter(pk=request_id, done_at__isnull=True).update(
        done_at=timezone.now(), lease_until=None, last_error=reason[:1000]
    )


def complete(lease: Lease, reserved: Reserved, signed: Signed) -> IssuedDocument | None:
    """Record the signed document if `lease` is still the request's latest (caller's tx).

    None when another worker took the request over (its lease expired) or
    finished it: the signed bytes are then discarded, never recorded twice.
    """
    request = IssueRequest.objects.select_for_update().filter(pk=lease.request_id).first()
    if request is None or request.done_at is not None or request.attempts != lease.token:
        return None
    document = record(reserved, signed)
    request.issued = document
    request.done_at = timezone.now()
    request.lease_until = None
    request.last_error = ""
    request.save(update_fields=["issued", "done_at", "lease_until", "last_error"])
    return document


def _reserved(request: IssueRequest, the_plan: Plan) -> Reserved:
    return Reserved(
        plan=the_plan,
        document_id=request.document_id,
        number=request.number,
        code=request.verification_code,
        salt=commitments.decode_salt(request.commitment_salt),
    )


def _local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
