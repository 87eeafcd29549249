from __future__ import annotations

from django.contrib import admin

from loket.insights.models import MonthlyRollup, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin[Target]):
    list_display = ("unit", "service", "indicator", "year", "month", "value", "polarity")
    list_filter = ("indicator", "polarity", "year", "unit")
    autocomplete_fields = ("unit", "service")


@admin.register(MonthlyRollup)
class MonthlyRollupAdmin(admin.ModelAdmin[MonthlyRollup]):
    """Read-only: the worker writes these rows from the case events."""

    list_display = ("service", "month", "submitted", "approved", "rejected", "sla_on_time")
    list_filter = ("month", "unit")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
