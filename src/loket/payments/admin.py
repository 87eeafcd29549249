"""Bills, payments and callbacks are records: the admin reads them, never edits them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from loket.payments.models import Bill, Callback, Payment


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ("billing_code", "kind", "amount", "status", "issued_at", "due_at")
    list_filter = ("status", "kind")
    search_fields = ("billing_code", "assessment_number")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("bill", "provider", "transaction_id", "amount", "paid_at", "recorded_at")
    search_fields = ("transaction_id", "bill__billing_code")


@admin.register(Callback)
class CallbackAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "provider", "outcome", "billing_code", "transaction_id")
    list_filter = ("outcome", "provider")
    search_fields = ("billing_code", "transaction_id")
