"""REST API of issued documents, under the application (applicant) and the case (officers).

Mounted at /applications and /cases next to the case engine's routers: the
applicant opens them with the access code (X-Access-Code) or the portal session,
officers with their token, integrations with a `cases:read` key (metadata only).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from ninja import Header, Query, Router

from loket.api.auth import machine_auth, officer_auth, require_scope
from loket.api.responses import problems
from loket.cases import personal_data, policy, selectors, throttle
from loket.cases.api.routers import signed_in_applicant
from loket.cases.api.schemas import TRACKING
from loket.cases.models import Case, ReadChannel
from loket.cases.policy import PersonalData
from loket.core.errors import AuthorityError, NotFound
from loket.documents.models import IssuedDocument
from loket.documents.resources import (
    IssuedDocumentOut,
    Reader,
    issued_document_of,
    issued_document_out,
    issued_documents_out,
)
from loket.documents.services import open_stored
from loket.org.models import Officer

_PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The signed PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _pdf_extra(*statuses: int) -> dict[str, Any]:
    extra = problems(*statuses)
    extra["responses"].update(_PDF_RESPONSE["responses"])
    return extra


def _pdf(document: IssuedDocument) -> FileResponse:
    response = FileResponse(
        open_stored(document.pdf),
        as_attachment=True,
        filename=get_valid_filename(f"{document.number}.pdf".replace("/", "-")),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _document_or_404(case: Case, document_id: uuid.UUID) -> IssuedDocument:
    document = issued_document_of(case, document_id)
    if document is None:
        raise NotFound(
            _("Application %(number)s has no issued document %(id)s.")
            % {"number": case.tracking_number, "id": document_id},
            field="document_id",
        )
    return document


# -- the applicant -------------------------------------------------------------------------

applicant_router = Router(tags=["documents"])


def _applicants_case(
    request: HttpRequest, tracking_number: str, access_code: str, header_code: str
) -> Case:
    user = signed_in_applicant(request, changes_state=False)
    return throttle.case_with_access_code(
        request, tracking_number, header_code or access_code, user=user
    )


@applicant_router.get(
    "/{tracking_number}/documents",
    response=list[IssuedDocumentOut],
    summary="The documents issued for an application (the licence), with download links",
    openapi_extra=problems(404, 422, 429),
)
def list_application_documents(
    request: HttpRequest,
    tracking_number: str = TRACKING,
    access_code: str = Query("", max_length=32, description="deprecated: use X-Access-Code"),
    x_access_code: str = Header("", alias="X-Access-Code", max_length=32),
) -> list[IssuedDocumentOut]:
    case = _applicants_case(request, tracking_number, access_code, x_access_code)
    return issued_documents_out(case, Reader.APPLICANT)


@applicant_router.get(
    "/{tracking_number}/documents/{document_id}",
    response=IssuedDocumentOut,
    summary="One issued document of an application",
    openapi_extra=problems(404, 422, 429),
)
def get_application_document(
    request: HttpRequest,
    document_id: uuid.UUID,
    tracking_number: str = TRACKING,
    access_code: str = Query("", max_length=32, description="deprecated: use X-Access-Code"),
    x_access_code: str = Header("", alias="X-Access-Code", max_length=32),
) -> IssuedDocumentOut:
    case = _applicants_case(request, tracking_number, access_code, x_access_code)
    return issued_document_out(_document_or_404(case, document_id), Reader.APPLICANT)


@applicant_router.get(
    "/{tracking_number}/documents/{document_id}/pdf",
    summary="Download the signed PDF of an issued document",
    openapi_extra=_pdf_extra(404, 422, 429),
)
def download_application_document(
    request: HttpRequest,
    document_id: uuid.UUID,
    tracking_number: str = TRACKING,
    access_code: str = Query("", max_length=32, description="deprecated: use X-Access-Code"),
    x_access_code: str = Header("", alias="X-Access-Code", max_length=32),
) -> FileResponse:
    case = _applicants_case(request, tracking_number, access_code, x_access_code)
    return _pdf(_document_or_404(case, document_id))


# -- officers and integrations ------------------------------------------------------------

officer_router = Router(tags=["documents"], auth=[officer_auth, *machine_auth])


def _officers_case(request: HttpRequest, tracking_number: str) -> tuple[Case, Reader]:
    """The case and how its caller reads it; 404 outside the caller's agency, 403 out of reach."""
    case = selectors.case_by_tracking_number(tracking_number)
    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, Officer):
        if case is not None and case.agency_id == caller.agency_id:
            access = policy.officer_case_access(policy.reach_of(caller, timezone.now()), case)
            if access is None:
                personal_data.record_refused_read(
                    officer=caller, case=case, channel=ReadChannel.API
                )
                raise AuthorityError(
                    _(
                        "Case %(number)s is outside your reach: only holders of its positions "
                        "and the heads of their units may read it."
                    )
                    % {"number": case.tracking_number},
                    code="case_outside_reach",
                )
            return case, Reader.OFFICER if access == PersonalData.FULL else Reader.MASKED
    else:
        account = require_scope(request, "cases:read")
        if case is not None and case.agency_id == account.agency_id:
            return case, Reader.MASKED
    raise NotFound(
        _("There is no case %(number)s in your agency.") % {"number": tracking_number},
        field="tracking_number",
    )


@officer_router.get(
    "/{tracking_number}/documents",
    response=list[IssuedDocumentOut],
    summary="The documents issued for a case (links only for officers working it)",
    openapi_extra=problems(401, 403, 404, 422),
)
def list_case_documents(
    request: HttpRequest, tracking_number: str = TRACKING
) -> list[IssuedDocumentOut]:
    case, reader = _officers_case(request, tracking_number)
    return issued_documents_out(case, reader)


@officer_router.get(
    "/{tracking_number}/documents/{document_id}/pdf",
    summary="Download the signed PDF of a case's document (officers working the case)",
    openapi_extra=_pdf_extra(401, 403, 404, 422),
)
def download_case_document(
    request: HttpRequest, document_id: uuid.UUID, tracking_number: str = TRACKING
) -> FileResponse:
    case, reader = _officers_case(request, tracking_number)
    if reader != Reader.OFFICER:
        raise AuthorityError(
            _(
                "The signed document carries the applicant's personal data: only officers "
                "working case %(number)s may download it."
            )
            % {"number": case.tracking_number},
            code="document_outside_reach",
        )
    document = _document_or_404(case, document_id)
    officer: Officer = request.auth  # type: ignore[attr-defined]
    personal_data.record_read(
        case=case,
        channel=ReadChannel.DOCUMENT,
        officer=officer,
        detail=f"issued document {document.number}",
    )
    return _pdf(document)
