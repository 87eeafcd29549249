"""The signature of an issued document as the verification page shows it to people.

Opened by its code, the page has no file from the visitor, so it reads the
stored signed PDF and reports its signature: who issued the certificate, the
RFC 3161 timestamp and whether the signature stays valid after the certificate
expires. Validating takes a while and the signed bytes never change (their
SHA-256 is the document's), so the result is cached per SHA-256.
"""

from __future__ import annotations

from django.core.cache import cache

from loket.documents.models import IssuedDocument
from loket.documents.services import read_stored
from loket.documents.signing import SignatureCheck, validate_pdf_signature

CACHE_SECONDS = 24 * 60 * 60


def stored_signature(document: IssuedDocument) -> SignatureCheck | None:
    """The last signature of the document's stored PDF, or None if it carries none."""
    key = f"loket.documents.signature:{document.sha256}"
    cached = cache.get(key)
    if isinstance(cached, SignatureCheck):
        return cached
    report = validate_pdf_signature(read_stored(document.pdf))
    if not report.signatures:
        return None
    check = report.signatures[-1]
    cache.set(key, check, CACHE_SECONDS)
    return check
