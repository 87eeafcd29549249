"""Admin: agencies define survey periods per unit or service; published results are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from loket.surveys.models import Result, SurveyPeriod, Tally


class SurveyPeriodForm(forms.ModelForm):
    class Meta:
        model = SurveyPeriod
        fields = ("unit", "service", "code", "name", "starts_on", "ends_on", "population",
                  "weight_mode")  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unit, service = cleaned.get("unit"), cleaned.get("service")
        if unit and service and service.unit_id != unit.pk:
            self.add_error("service", _("The service belongs to another unit."))
        return cleaned


@admin.register(SurveyPeriod)
class SurveyPeriodAdmin(admin.ModelAdmin):
    form = SurveyPeriodForm
    list_display = ("name", "code", "unit", "service", "starts_on", "ends_on", "closed_at")
    list_filter = ("agency", "unit")
    search_fields = ("name", "code", "unit__name")

    def save_model(self, request: HttpRequest, obj: SurveyPeriod, form: Any, change: bool) -> None:
        obj.agency_id = obj.unit.agency_id
        super().save_model(request, obj, form, change)
        Tally.objects.get_or_create(period=obj)


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ("period", "ikm", "grade", "respondents", "sample_required", "published_at")
    readonly_fields = [f.name for f in Result._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
