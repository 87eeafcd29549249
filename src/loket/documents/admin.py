"""Read-only admin views: documents change only through `loket.documents.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from loket.documents.models import DocumentSequence, IssuedDocument, StoredFile


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
