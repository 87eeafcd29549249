"""Applications in progress, kept in the database against the applicant's contact.

A draft used to live only in the session, so a lost cookie or an expired session
destroyed it. Here it outlives both: the session only points at the draft, and
an applicant who lost the session gets it back with a one-time code sent to the
e-mail address or mobile number the draft gave (`loket.portal.resume`).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.core.pii import EncryptedJSONField
from loket.documents.models import StoredFile


class ApplicationDraft(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service_code = models.CharField(max_length=80)
    # The whole draft (applicant, data, document references): personal data, encrypted.
    content = EncryptedJSONField()
    # Keyed hashes (`pii.lookup_hash`) of the contact the draft gave, to find it again.
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("application draft")
        verbose_name_plural = _("application drafts")

    def __str__(self) -> str:
        return f"{self.service_code} {self.pk}"


class DraftUpload(models.Model):
    """A file stored for a draft: the foreign key keeps `purge-orphan-files` off it
    for as long as the draft lives."""

    draft = models.ForeignKey(ApplicationDraft, on_delete=models.CASCADE, related_name="uploads")
    name = models.CharField(max_length=80)
    stored = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="draft_uploads")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "name"], name="portal_draft_upload_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} of {self.draft_id}"


class ResumeCode(models.Model):
    """A one-time code that gives a lost draft back: hashed, short-lived, single-use."""

    draft = models.ForeignKey(ApplicationDraft, on_delete=models.CASCADE, related_name="codes")
    # salted_hmac of the code (with SECRET_KEY): a leaked table does not give codes away.
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"code for {self.draft_id}"
