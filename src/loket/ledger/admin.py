"""Read-only admin views: the ledger is append-only, so nothing here may change a row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from loket.ledger.models import LedgerEntry, TreeHead
from loket.ledger.services import checkpoint_text


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["index", "kind", "created_at", "leaf_hash_hex"]
    list_filter = ["kind"]
    search_fields = ["=index", "kind"]
    fields = readonly_fields = (
        "index",
        "kind",
        "created_at",
        "payload",
        "canonical",
        "leaf_hash_hex",
    )
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is slow

    @admin.display(description=_("leaf hash"))
    def leaf_hash_hex(self, entry: LedgerEntry) -> str:
        return bytes(entry.leaf_hash).hex()


@admin.register(TreeHead)
class TreeHeadAdmin(ReadOnlyAdmin):
    list_display = ["size", "timestamp", "root_hash_hex", "key_id"]
    fields = readonly_fields = (
        "size",
        "timestamp",
        "origin",
        "root_hash_hex",
        "key_id",
        "checkpoint",
    )

    @admin.display(description=_("root hash"))
    def root_hash_hex(self, head: TreeHead) -> str:
        return bytes(head.root_hash).hex()

    @admin.display(description=_("checkpoint"))
    def checkpoint(self, head: TreeHead) -> str:
        return checkpoint_text(head)
