"""Stored files, document numbering and issued documents."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loket.core.pii import EncryptedTextField


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"


class StoredFile(models.Model):
    """A file whose type was decided from its content, kept in the default storage.

    The bytes live under `storage_name` in Django's default storage (the data
    directory by default, S3-compatible storage by settings), never in a web
    root: they are served only through views that check who may see them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=FileKind.choices)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    original_name = models.CharField(_("original name"), max_length=150)
    storage_name = models.CharField(_("storage name"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.kind}, {self.size} B)"


class DocumentSequence(models.Model):
    """The last document number an agency used in a year; locked while a number is drawn."""

    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="document_sequences"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number used"), default=0)

    class Meta:
        verbose_name = _("document number sequence")
        verbose_name_plural = _("document number sequences")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="one_sequence_per_agency_year")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


class IssuedDocument(models.Model):
    """A signed document issued at the end of a case (an SK, izin or surat keterangan).

    `id` is internal: no public URL takes it and the public ledger does not
    carry it. The verification page answers only to `verification_code`, the
    secret printed on the document and carried by its QR code. `public_fields`
    are printed on the document; the verification page shows none of them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="issued_documents"
    )
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="issued_documents"
    )
    number = models.CharField(_("number"), max_length=120)
    document_type = models.CharField(_("document type"), max_length=200)
    pdf = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="issued_documents")
    sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, db_index=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        "org.Officer", on_delete=models.PROTECT, related_name="issued_documents"
    )
    issued_position = models.ForeignKey(
        "org.Position", on_delete=models.PROTECT, related_name="issued_documents"
    )
    issued_capacity = models.CharField(_("capacity"), max_length=12)
    public_fields: models.JSONField[Any, Any] = models.JSONField(_("public fields"), default=dict)
    signer_subject = models.CharField(_("signing certificate"), max_length=300, blank=True)
    # Index of the "document.issued" ledger entry appended in the issuing
    # transaction; null only for documents issued before the ledger link existed.
    ledger_index = models.PositiveBigIntegerField(_("ledger entry"), null=True, blank=True)
    # The holder's secret (loket.documents.codes), encrypted; found by its digest.
    verification_code = EncryptedTextField(_("verification code"), blank=True)
    verification_digest = models.CharField(
        _("verification code digest"), max_length=64, unique=True, null=True, blank=True
    )
    # Opens the "commitment" of the document.issued entry (loket.ledger.commitments);
    # empty for documents issued when the entry still carried the document's id.
    commitment_salt = models.CharField(_("ledger commitment salt"), max_length=44, blank=True)
    # Archive metadata (UU 43/2009 instruments): classification code and SKKAAD class.
    archive_code = models.CharField(_("archive classification code"), max_length=20, blank=True)
    access_class = models.CharField(_("access class (SKKAAD)"), max_length=16, default="biasa")

    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "org.Officer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revoked_documents",
    )
    revoked_position = models.ForeignKey(
        "org.Position",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revoked_documents",
    )
    revoked_capacity = models.CharField(_("capacity when revoking"), max_length=12, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    revocation_ledger_index = models.PositiveBigIntegerField(
        _("revocation ledger entry"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"], name="issued_document_number_unique_in_agency"
            ),
            # A case has at most one document in force; a revoked one may be replaced.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(revoked_at__isnull=True),
                name="one_document_in_force_per_case",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_type} {self.number}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SignerKind(models.TextChoices):
    KEYFILE = "keyfile", _("Key file (PKCS#12; the demo certificate without one)")
    PKCS11 = "pkcs11", _("PKCS#11 token (HSM, BSrE token)")
    CSC = "csc", _("Remote signing service (Cloud Signature Consortium API)")


class SignerChoice(models.Model):
    """The signer an agency's documents are signed with, chosen in the admin.

    Where and how each kind connects (module, labels, URLs) stays in settings and
    its secrets (PIN, OAuth token) in the environment; the admin only chooses.
    """

    agency = models.OneToOneField(
        "org.Agency", on_delete=models.CASCADE, related_name="signer_choice"
    )
    kind = models.CharField(_("signer"), max_length=20, choices=SignerKind.choices)
    # who last tested and saved the choice, and the certificate it then found
    changed_by = models.CharField(_("changed by"), max_length=150, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    certificate_subject = models.CharField(_("certificate"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("agency signer")
        verbose_name_plural = _("agency signers")

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.kind}"


class IssueRequest(models.Model):
    """A document an approval asked for, issued by the worker (docs/documents.md).

    Created with the approval, in its transaction; the worker reserves the
    number (kept here, so a retry reuses it), renders and signs outside any
    transaction, then records the document and sets `done_at`. `attempts` is
    the lease token: only the worker holding the latest lease may record, so
    a worker killed mid-issue is replaced after `lease_until` without two
    documents ever being recorded.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="issue_requests")
    step_id = models.CharField(_("issue step"), max_length=80)
    branch = models.CharField(max_length=200, blank=True)
    officer = models.ForeignKey("org.Officer", on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey("org.Position", on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(_("capacity"), max_length=12, blank=True)
    approved_at = models.DateTimeField(_("approved at"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    number = models.CharField(_("reserved number"), max_length=120, blank=True)
    document_id = models.UUIDField(default=uuid.uuid4, editable=False)
    verification_code = EncryptedTextField(_("verification code"), blank=True)
    commitment_salt = models.CharField(max_length=44, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    lease_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    issued = models.OneToOneField(
        IssuedDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )
    done_at = models.DateTimeField(_("issued at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("document issue request")
        verbose_name_plural = _("document issue requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(done_at__isnull=True),
                name="one_open_issue_request_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.step_id} ({self.number or 'unnumbered'})"
