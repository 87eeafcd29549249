from __future__ import annotations

from django.contrib import admin

from loket.core.admin_fields import SafeChoicesAdmin
from loket.insights.models import AnomalyFlag, MonthlyRollup, StepRollup, Target


@admin.register(Target)
class TargetAdmin(SafeChoicesAdmin, admin.ModelAdmin[Target]):
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


class _WorkerWritten(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the worker writes these rows from the tasks and cases."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(StepRollup)
class StepRollupAdmin(_WorkerWritten):
    list_display = ("unit", "month", "step_id", "decided", "wait_median_hours", "returns")
    list_filter = ("month", "unit")


@admin.register(AnomalyFlag)
class AnomalyFlagAdmin(_WorkerWritten):
    list_display = ("unit", "month", "rule", "tracking_number", "explanation")
    list_filter = ("rule", "month", "unit")
