"""Admin for the service catalogue. Versions are read-only: they are published with
`loket services publish`, never edited."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from loket.catalog.models import ArchiveClass, Service, ServiceVersion


class ServiceVersionInline(admin.TabularInline):
    model = ServiceVersion
    fields = ("number", "content_hash", "published_at", "published_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-number",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "agency", "unit", "is_active")
    list_filter = ("agency", "is_active")
    search_fields = ("code", "name", "name_en")
    # Code, agency and names come from the published definition.
    readonly_fields = ("code", "agency", "unit", "name", "name_en", "created_at")
    fields = ("code", "name", "name_en", "agency", "unit", "is_active", "created_at")
    inlines = [ServiceVersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ServiceVersion)
class ServiceVersionAdmin(admin.ModelAdmin):
    list_display = ("service", "number", "published_at", "published_by")
    list_filter = ("service",)
    fields = (
        "service",
        "number",
        "content_hash",
        "published_at",
        "published_by",
        "source_pretty",
        "definition_pretty",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("source (YAML)"))
    def source_pretty(self, obj: ServiceVersion) -> SafeString:
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', obj.source)

    @admin.display(description=_("normalized definition"))
    def definition_pretty(self, obj: ServiceVersion) -> SafeString:
        text = json.dumps(obj.definition, indent=2, ensure_ascii=False)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)


@admin.register(ArchiveClass)
class ArchiveClassAdmin(admin.ModelAdmin):
    """The agency's classification and JRA: its own Perkada values, entered or loaded."""

    list_display = (
        "code",
        "title",
        "agency",
        "retention_active_years",
        "retention_inactive_years",
        "disposition",
        "valid_from",
        "valid_to",
    )
    list_filter = ("agency", "disposition")
    search_fields = ("code", "title")
