"""Admin views: documents are read-only (they change only through
`loket.documents.services`); an agency's signer is chosen here, tested before saving."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from loket.core.admin_fields import SafeChoicesAdmin
from loket.documents import signing
from loket.documents.models import DocumentSequence, IssuedDocument, SignerChoice, StoredFile

audit = logging.getLogger("loket.audit")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "kind", "size", "created_at"]
    list_filter = ["kind"]
    search_fields = ["sha256", "original_name"]


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(ReadOnlyAdmin):
    list_display = ["agency", "year", "last"]
    list_filter = ["agency", "year"]


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "document_type",
        "agency",
        "issued_at",
        "revoked_at",
        "archive_code",
        "access_class",
    ]
    list_filter = ["agency", "document_type", "archive_code", "access_class"]
    search_fields = ["number", "sha256"]
    date_hierarchy = "issued_at"
    # The holder's secrets: whoever has them opens the verification page.
    exclude = ["verification_code", "verification_digest", "commitment_salt"]


class SignerChoiceForm(forms.ModelForm):
    class Meta:
        model = SignerChoice
        fields = ("agency", "kind")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        agency, kind = cleaned.get("agency"), cleaned.get("kind")
        if agency is None or not kind:
            return cleaned
        try:
            self.certificate_subject = signing.try_signer(kind, agency.code, agency.name)
        except signing.signer_failures() as error:
            raise forms.ValidationError(
                _("This signer cannot sign for %(agency)s now: %(error)s")
                % {"agency": agency.name, "error": error},
                code="signer_unavailable",
            ) from error
        return cleaned


@admin.register(SignerChoice)
class SignerChoiceAdmin(SafeChoicesAdmin, admin.ModelAdmin):
    """One signer per agency; saving opens it and signs nothing, but a signer that cannot
    open (module, label, URL, PIN, certificate) is refused with its reason."""

    form = SignerChoiceForm
    list_display = ["agency", "kind", "certificate_subject", "changed_by", "changed_at"]
    readonly_fields = ["certificate_subject", "changed_by", "changed_at"]
    autocomplete_fields = ["agency"]

    def save_model(self, request: HttpRequest, obj: SignerChoice, form: Any, change: bool) -> None:
        obj.changed_by = request.user.get_username()
        obj.certificate_subject = getattr(form, "certificate_subject", "")[:300]
        super().save_model(request, obj, form, change)
        audit.info("agency %s signer set to %s by %s", obj.agency_id, obj.kind, obj.changed_by)
