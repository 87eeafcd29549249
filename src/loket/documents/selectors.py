"""Read-only queries of the documents app, and offline checks of PDFs that people bring."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from django.apps import apps
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from loket.cases.models import Case
from loket.documents import codes
from loket.documents.models import IssuedDocument, StoredFile
from loket.documents.signing import PdfSignatureReport, validate_pdf_signature


def document_by_code(code: str) -> IssuedDocument | None:
    """The issued document whose verification code this is (typed or scanned), or None."""
    normalized = codes.normalize(code)
    if normalized is None:
        return None
    return (
        IssuedDocument.objects.select_related(
            "agency", "case", "issued_position", "revoked_position", "pdf"
        )
        .filter(verification_digest=codes.digest(normalized))
        .first()
    )


def document_by_sha256(sha256: str) -> IssuedDocument | None:
    """The issued document whose signed PDF has this SHA-256 (hex), or None."""
    return (
        IssuedDocument.objects.select_related(
            "agency", "case", "issued_position", "revoked_position", "pdf"
        )
        .filter(sha256=sha256.lower())
        .first()
    )


def documents_of_case(case: Case) -> QuerySet[IssuedDocument]:
    return IssuedDocument.objects.filter(case=case).order_by("-issued_at")


@dataclass(frozen=True)
class PdfVerification:
    """What a PDF someone holds is: signed and intact? issued by us? still in force?"""

    sha256: str
    signature: PdfSignatureReport
    document: IssuedDocument | None  # the record whose signed PDF is byte-identical

    @property
    def status(self) -> str:
        """valid | revoked | unknown (good signature, not a file we issued) | invalid."""
        if not self.signature.is_ok:
            return "invalid"
        if self.document is None:
            return "unknown"
        return "revoked" if self.document.is_revoked else "valid"

    @property
    def explanation(self) -> str:
        if self.status == "invalid":
            return self.signature.problem
        if self.status == "unknown":
            return _("The signature is valid, but this exact file was not issued by this Loket.")
        if self.status == "revoked":
            assert self.document is not None
            return _("The document was revoked on %(date)s: %(reason)s") % {
                "date": self.document.revoked_at.date().isoformat()
                if self.document.revoked_at
                else "",
                "reason": self.document.revocation_reason,
            }
        return _("The document is authentic and in force.")


def verify_pdf_bytes(
    pdf_bytes: bytes, trust_roots: list[asn1_x509.Certificate] | None = None
) -> PdfVerification:
    """Check a PDF offline: its signatures against the trust roots, its hash against our records.

    `trust_roots` defaults to the configured ones (`signing.configured_trust_roots`).
    """
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    return PdfVerification(
        sha256=digest,
        signature=validate_pdf_signature(pdf_bytes, trust_roots),
        document=document_by_sha256(digest),
    )


def orphan_files(*, created_before: dt.datetime) -> QuerySet[StoredFile]:
    """Stored files created before the moment that nothing refers to.

    A file counts as attached if any model has a foreign key to it, or if a
    model keeps a copy of its `storage_name` (the case engine's documents do).
    """
    files = StoredFile.objects.filter(created_at__lt=created_before)
    for relation in StoredFile._meta.related_objects:
        files = files.exclude(**{f"{relation.name}__isnull": False})
    for model in _models_copying_storage_name():
        files = files.exclude(storage_name__in=model._default_manager.values("storage_name"))
    return files


def referenced_storage_names(names: list[str]) -> set[str]:
    """Which of these storage names a StoredFile row, or a copy of one, refers to."""
    found = set(
        StoredFile.objects.filter(storage_name__in=names).values_list("storage_name", flat=True)
    )
    for model in _models_copying_storage_name():
        found |= set(
            model._default_manager.filter(storage_name__in=names).values_list(
                "storage_name", flat=True
            )
        )
    return found


def _models_copying_storage_name() -> list[type[Model]]:
    models: list[type[Model]] = []
    for model in apps.get_models():
        if model is StoredFile:
            continue
        if any(field.name == "storage_name" for field in model._meta.get_fields()):
            models.append(model)
    return models
