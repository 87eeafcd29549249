"""The issued document as an API resource: what a case ended with, and where to fetch it.

Who sees what follows the case's reader: the applicant (access code or portal
session) and officers who work the case get the download link and the
verification code printed on the document (it is theirs to hand on); readers who
see the case masked (heads of units, integrations) get the metadata only, since
the PDF itself carries the applicant's name and data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Literal

from django.conf import settings
from ninja import Schema
from pydantic import Field

from loket.cases.models import Case
from loket.documents import codes, selectors
from loket.documents.models import IssuedDocument
from loket.documents.services import verification_url


class Reader(StrEnum):
    """Whose view of a case's documents: decides which links are given."""

    APPLICANT = "applicant"
    OFFICER = "officer"  # works the case: full personal data
    MASKED = "masked"  # supervises it, or an integration: metadata only


class IssuedDocumentOut(Schema):
    id: uuid.UUID
    number: str = Field(description="The document's number, e.g. 503/0001/IUM/DPMPTSP/2026")
    document_type: str
    issued_at: dt.datetime
    status: Literal["in_force", "revoked"]
    revoked_at: dt.datetime | None
    revocation_reason: str
    sha256: str = Field(description="SHA-256 (hex) of the signed PDF")
    size: int = Field(description="Size of the signed PDF in bytes")
    download_url: str | None = Field(
        description="The signed PDF (same credentials as this call); null for masked readers"
    )
    verification_code: str | None = Field(
        description="The holder's code printed on the document; null for masked readers"
    )
    verification_url: str | None = Field(
        description="The public verification page (what the QR code carries); null for "
        "masked readers"
    )


def _download_path(case: Case, document: IssuedDocument, reader: Reader) -> str:
    base = "applications" if reader == Reader.APPLICANT else "cases"
    return f"/api/v1/{base}/{case.tracking_number}/documents/{document.pk}/pdf"


def issued_document_out(document: IssuedDocument, reader: Reader) -> IssuedDocumentOut:
    may_hold = reader != Reader.MASKED and bool(document.verification_code)
    return IssuedDocumentOut(
        id=document.pk,
        number=document.number,
        document_type=document.document_type,
        issued_at=document.issued_at,
        status="revoked" if document.is_revoked else "in_force",
        revoked_at=document.revoked_at,
        revocation_reason=document.revocation_reason,
        sha256=document.sha256,
        size=document.pdf.size,
        download_url=(
            settings.PUBLIC_BASE_URL + _download_path(document.case, document, reader)
            if reader != Reader.MASKED
            else None
        ),
        verification_code=codes.formatted(document.verification_code) if may_hold else None,
        verification_url=verification_url(document.verification_code) if may_hold else None,
    )


def issued_documents_out(case: Case, reader: Reader) -> list[IssuedDocumentOut]:
    """The case's issued documents, newest first, as `reader` may see them."""
    documents = selectors.documents_of_case(case).select_related("pdf", "case")
    return [issued_document_out(d, reader) for d in documents]


def issued_document_of(case: Case, document_id: uuid.UUID) -> IssuedDocument | None:
    return (
        selectors.documents_of_case(case)
        .select_related("pdf", "case")
        .filter(pk=document_id)
        .first()
    )
