"""Public verification pages: /verify/<document id> (the QR target), its proof bundle, keys.

No account and no JavaScript needed. Views parse the id, call the documents
app's read operations and render; an unknown or malformed id is a 404 page
that says so plainly.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from loket.documents import selectors, verification
from loket.documents.models import IssuedDocument

PEM_CONTENT_TYPE = "application/x-pem-file"


@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    """Ask for a document id (from a printed copy without a readable QR) and go to its page."""
    document_id = request.GET.get("id", "").strip()
    if document_id:
        try:
            return HttpResponseRedirect(reverse("documents:verify", args=[document_id]))
        except NoReverseMatch:  # e.g. a "/" typed into the id: no document has such an id
            return _unknown(request, document_id)
    return render(request, "documents/verify_form.html")


@never_cache  # the status changes when a document is revoked
@require_safe
def verify_document(request: HttpRequest, document_id: str) -> HttpResponse:
    document = selectors.document_by_id(document_id)
    if document is None:
        return _unknown(request, document_id)
    result = verification.verification_of(document)
    return render(
        request,
        "documents/verify.html",
        {
            "document": document,
            "verification": result,
            "fields": (document.public_fields or {}).get("fields", []),
        },
    )


@never_cache
@require_safe
def proof_bundle(request: HttpRequest, document_id: str) -> HttpResponse:
    document = selectors.document_by_id(document_id)
    if document is None:
        return _unknown(request, document_id)
    bundle = verification.proof_bundle(verification.verification_of(document))
    response = HttpResponse(
        json.dumps(bundle, ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_bundle_filename(document)}"'
    return response


@require_safe
def ca_certificate(request: HttpRequest) -> HttpResponse:
    return _pem(verification.trust_roots_pem(), "ca.pem")


@require_safe
def log_public_key(request: HttpRequest) -> HttpResponse:
    return _pem(verification.log_public_key_pem(), "log-key.pem")


def _unknown(request: HttpRequest, document_id: str) -> HttpResponse:
    return render(
        request, "documents/verify_unknown.html", {"document_id": document_id[:100]}, status=404
    )


def _pem(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type=PEM_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bundle_filename(document: IssuedDocument) -> str:
    return f"bundle-{document.id}.json"
