"""The signer's preview of a document before it is issued: the same layout, no number,
no signature, no verification code, and "PRATINJAU" across every page.

Nothing is stored and nothing is numbered: the preview is rendered on request and
never leaves the officer's browser as a document anyone could take for the real one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from loket.catalog.definitions import compiled
from loket.documents import pdf
from loket.documents.services import (
    contact_line,
    default_decision,
    indonesian,
    issuing_unit,
    pairs,
    place_of,
    text,
    verification_base_url,
)
from loket.org.models import Officer, Position

WATERMARK = "PRATINJAU"
PREVIEW_NUMBER = "(nomor diberikan saat terbit)"
PREVIEW_NOTE = (
    "PRATINJAU: dokumen ini belum bernomor, belum ditandatangani, dan tidak sah. "
    "Dokumen sah terbit setelah pejabat menyetujui dan menandatanganinya."
)


def render_preview(
    *,
    case: Any,
    fields: Mapping[str, Any] | Iterable[tuple[str, Any]],
    officer: Officer,
    position: Position,
    capacity: str,
    at: dt.datetime | None = None,
) -> bytes:
    """The unsigned, watermarked PDF the document would be if `officer` approved now."""
    at = at or timezone.now()
    compiled_definition = compiled(case.service_version)
    definition: dict[str, Any] = compiled_definition.raw
    product = compiled_definition.product
    document_type = indonesian(product.document_type) or indonesian(definition.get("name"))
    content = pdf.CertificateContent(
        agency_name=case.agency.name,
        unit_name=issuing_unit(case.agency, definition, position).name,
        agency_address=case.agency.address,
        agency_contact=contact_line(case.agency),
        document_type=document_type,
        number=PREVIEW_NUMBER,
        applicant_fields=[(str(label), text(value)) for label, value in pairs(fields)],
        decision=default_decision(document_type),
        place=place_of(case.agency),
        issued_on=timezone.localtime(at).date(),
        position_title=position.title,
        officer_name=officer.name,
        officer_nip=officer.nip,
        capacity=capacity,
        validity=indonesian(product.validity),
        legal_basis=[str(item) for item in definition.get("legal_basis") or []],
        notes=[PREVIEW_NOTE],
        verification_url=verification_base_url(),
        watermark=WATERMARK,
        crest_png=bytes(case.agency.crest_png or b""),
    )
    return pdf.render_certificate(content)
