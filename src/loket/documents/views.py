"""Public verification pages: /verify/ (the form and, with ?code=, the QR target), bundle, keys.

No account and no JavaScript needed. A document is found only by what its
holder has: the verification code printed on it (and carried by its QR code),
or the signed PDF itself. Nothing public, in particular nothing in the public
ledger, opens a document. An unknown code is a 404 page that says so plainly.
"""

from __future__ import annotations

import json
import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from loket.documents import codes, selectors, verification
from loket.documents.models import IssuedDocument
from loket.documents.services import ISSUED_PDF_MAX_BYTES
from loket.documents.signature_facts import stored_signature
from loket.documents.signing import SignatureCheck

PEM_CONTENT_TYPE = "application/x-pem-file"


@never_cache  # the status changes when a document is revoked
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The form; with ``?code=`` (typed, or from the QR code) the document's page.

    A POST with the signed PDF finds the document by the file's exact bytes.
    """
    if request.method == "POST":
        return _verify_upload(request)
    code = request.GET.get("code", "")
    if not code.strip():
        return render(request, "documents/verify_form.html")
    document = selectors.document_by_code(code)
    if document is None:
        return _unknown(request)
    return _document_page(request, document)


@never_cache
@require_safe
def proof_bundle(request: HttpRequest) -> HttpResponse:
    document = selectors.document_by_code(request.GET.get("code", ""))
    if document is None:
        return _unknown(request)
    bundle = verification.proof_bundle(verification.verification_of(document))
    response = HttpResponse(
        json.dumps(bundle, ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_bundle_filename(document)}"'
    return response


@require_safe
def retired_link(request: HttpRequest, document_id: str) -> HttpResponse:
    """``/verify/<id>`` of older documents: ids open nothing now; ask for the code or the PDF."""
    return render(
        request,
        "documents/verify_form.html",
        {"notice": _("This link no longer shows documents. Type the verification code "
                     "printed on the document, or upload the signed PDF.")},
        status=404,
    )  # fmt: skip


@require_safe
def ca_certificate(request: HttpRequest) -> HttpResponse:
    return _pem(verification.trust_roots_pem(), "ca.pem")


@require_safe
def log_public_key(request: HttpRequest) -> HttpResponse:
    return _pem(verification.log_public_key_pem(), "log-key.pem")


def _verify_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("pdf")
    if upload is None:
        return _form_error(request, _("Choose the signed PDF file to check."))
    if upload.size is None or upload.size > ISSUED_PDF_MAX_BYTES:
        return _form_error(request, _("The file is larger than any document this service issues."))
    result = selectors.verify_pdf_bytes(upload.read())
    if result.document is None or result.status == "invalid":
        return render(
            request,
            "documents/verify_unknown.html",
            {"explanation": result.explanation},
            status=404 if result.status == "unknown" else 422,
        )
    return _document_page(request, result.document, signature=result.signature.signatures[-1])


def _document_page(
    request: HttpRequest, document: IssuedDocument, signature: SignatureCheck | None = None
) -> HttpResponse:
    return render(
        request,
        "documents/verify.html",
        {
            "document": document,
            "verification": verification.verification_of(document),
            "holder": verification.masked_name(document.case.applicant_name),
            "code": codes.formatted(document.verification_code),
            "signer": _signer(document),
            # The checked signature of an uploaded PDF, else the stored one's.
            "signature": signature or stored_signature(document),
            "from_upload": signature is not None,
        },
    )


def _signer(document: IssuedDocument) -> dict[str, str]:
    """Who signed, as people read it: name, position in the reader's language, capacity."""
    position = document.issued_position
    english = translation.get_language() == "en"
    title = (position.title_en if english else "") or position.title
    capacity = document.issued_capacity
    prefix = {"plt": "Plt. ", "plh": "Plh. "}.get(capacity, "")
    return {
        "name": document.issued_by.name,
        "position": prefix + title,
        "capacity": str(CAPACITY_TEXTS.get(capacity, CAPACITY_TEXTS["definitive"])),
        "capacity_code": capacity,
    }


CAPACITY_TEXTS = {
    "definitive": gettext_lazy("Definitive holder of the position"),
    "plt": gettext_lazy("Plt (Pelaksana Tugas): acting holder while the position is vacant"),
    "plh": gettext_lazy(
        "Plh (Pelaksana Harian): acting holder while the definitive holder is away"
    ),
}


def _form_error(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "documents/verify_form.html", {"pdf_error": message}, status=400)


def _unknown(request: HttpRequest) -> HttpResponse:
    return render(request, "documents/verify_unknown.html", status=404)


def _pem(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type=PEM_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bundle_filename(document: IssuedDocument) -> str:
    # Numbers hold "/" and may hold other characters a header must not carry.
    return f"bundle-{re.sub(r'[^A-Za-z0-9.-]+', '-', document.number)}.json"
