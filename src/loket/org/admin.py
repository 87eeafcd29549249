"""Admin for the organisation chart: agencies, units, positions, officers, appointments.

Appointments are created and edited only on their own page, whose form runs
the same checks as `loket.org.services.appoint` (through `Appointment.clean`)
under the same lock on the position; elsewhere they are shown read-only so no
inline formset can slip past them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from loket.core.admin_fields import SafeChoicesAdmin
from loket.core.errors import LoketError
from loket.org import branding
from loket.org.models import Agency, Appointment, Officer, Position, Unit
from loket.org.selectors import holders_at
from loket.org.services import lock_position


class ReadOnlyAppointmentInline(admin.TabularInline):
    model = Appointment
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("officer", "position", "capacity", "start_date", "end_date", "decree_number")
    readonly_fields = fields
    ordering = ("-start_date",)
    verbose_name_plural = _("appointments (add or change on the appointment page)")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        return super().get_queryset(request).select_related("officer", "position")


class SameAgencyFormSet(BaseInlineFormSet):
    """Rows added under a unit belong to the unit's agency; their codes are unique in it."""

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        if self.instance.agency_id is not None:
            form.instance.agency_id = self.instance.agency_id
        return form

    def clean(self) -> None:
        super().clean()
        model: Any = self.model
        seen: set[str] = set()
        for form in self.forms:
            code = form.cleaned_data.get("code") if hasattr(form, "cleaned_data") else None
            if not code or form.cleaned_data.get("DELETE"):
                continue
            taken = (
                model._default_manager.filter(agency_id=self.instance.agency_id, code=code)
                .exclude(pk=form.instance.pk)
                .exists()
            )
            if code in seen or taken:
                form.add_error("code", _("This code is already used in the agency."))
            seen.add(code)


class UnitInline(admin.TabularInline):
    model = Unit
    formset = SameAgencyFormSet
    fk_name = "parent"
    extra = 0
    fields = ("code", "name", "name_en")
    show_change_link = True
    verbose_name_plural = _("sub-units")


class PositionInline(admin.TabularInline):
    model = Position
    formset = SameAgencyFormSet
    extra = 0
    fields = ("code", "title", "title_en", "is_head", "is_single_holder")
    show_change_link = True


class AgencyForm(forms.ModelForm):
    crest_upload = forms.FileField(
        label=_("Crest (lambang)"),
        required=False,
        help_text=_("PNG or JPEG, at most 512 KB; shown in the header, on receipts and licences."),
    )
    remove_crest = forms.BooleanField(label=_("Remove the crest"), required=False)

    class Meta:
        model = Agency
        # Every field but the crest's bytes and digest (set from `crest_upload`).
        fields = ("code", "name", "short_name", "address", "email", "phone", "website",
                  "time_zone", "max_plt_days", "max_plh_days", "acting_warning_days")  # fmt: skip

    def clean_crest_upload(self) -> bytes | None:
        upload = self.cleaned_data.get("crest_upload")
        if not upload:
            return None
        try:
            return branding.clean_crest(upload.read(branding.CREST_MAX_BYTES + 1))
        except LoketError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ("name", "code", "short_name", "email", "phone")
    search_fields = ("name", "code", "short_name")
    prepopulated_fields = {"code": ("name",)}

    def save_model(self, request: Any, obj: Agency, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        png = form.cleaned_data.get("crest_upload")
        if png:
            branding.set_crest(obj, png)
        elif form.cleaned_data.get("remove_crest"):
            branding.set_crest(obj, b"")


@admin.register(Unit)
class UnitAdmin(SafeChoicesAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "agency", "parent")
    list_filter = ("agency",)
    search_fields = ("name", "name_en", "code")
    list_select_related = ("agency", "parent")
    autocomplete_fields = ("agency", "parent")
    inlines = (PositionInline, UnitInline)


@admin.register(Position)
class PositionAdmin(SafeChoicesAdmin, admin.ModelAdmin):
    list_display = ("title", "code", "unit", "agency", "is_head", "is_single_holder")
    list_filter = ("agency", "is_head", "is_single_holder")
    search_fields = ("title", "title_en", "code", "unit__name")
    list_select_related = ("agency", "unit")
    autocomplete_fields = ("agency", "unit")
    readonly_fields = ("current_holders",)
    inlines = (ReadOnlyAppointmentInline,)

    @admin.display(description=_("current holders"))
    def current_holders(self, obj: Position) -> str:
        if obj.pk is None:
            return "–"
        holdings = holders_at(obj, timezone.now())
        if not holdings:
            return str(_("Vacant"))
        return format_html_join(
            SafeString("<br>"),
            '<a href="{}">{}</a> ({})',
            (
                (
                    reverse("admin:org_appointment_change", args=[h.appointment.pk]),
                    h.officer,
                    h.appointment.get_capacity_display(),
                )
                for h in holdings
            ),
        )


@admin.register(Officer)
class OfficerAdmin(SafeChoicesAdmin, admin.ModelAdmin):
    list_display = ("name", "nip", "agency", "user", "is_active")
    list_filter = ("agency", "is_active")
    search_fields = ("name", "nip", "user__username", "user__email")
    list_select_related = ("agency", "user")
    autocomplete_fields = ("agency",)
    raw_id_fields = ("user",)
    readonly_fields = ("add_appointment",)
    inlines = (ReadOnlyAppointmentInline,)

    @admin.display(description=_("new appointment"))
    def add_appointment(self, obj: Officer) -> str:
        if obj.pk is None:
            return "–"
        url = reverse("admin:org_appointment_add") + f"?officer={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Appoint to a position"))


class CurrentFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "current"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", str(_("In force today"))), ("no", str(_("Ended or not started")))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Appointment]
    ) -> QuerySet[Appointment]:
        today = timezone.localdate()
        in_force = queryset.filter(start_date__lte=today).exclude(end_date__lt=today)
        if self.value() == "yes":
            return in_force
        if self.value() == "no":
            return queryset.exclude(pk__in=in_force.values("pk"))
        return queryset


class AppointmentForm(forms.ModelForm):
    """Locks the position before the model's checks run (`_post_clean` comes after
    `clean`), inside the admin's own transaction, so the lock is held until the save
    commits: two admins appointing to one single-holder position at once queue
    behind each other and the second sees the first, as with `services.appoint`."""

    class Meta:
        model = Appointment
        fields = ("officer", "position", "capacity", "start_date", "end_date", "decree_number")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        position = cleaned.get("position")
        if position is not None:
            cleaned["position"] = lock_position(position)
        return cleaned


@admin.register(Appointment)
class AppointmentAdmin(SafeChoicesAdmin, admin.ModelAdmin):
    form = AppointmentForm
    list_display = (
        "officer",
        "position",
        "capacity",
        "start_date",
        "end_date",
        "instrument",
        "decree_number",
    )
    list_filter = (CurrentFilter, "capacity", "position__agency")
    search_fields = ("officer__name", "officer__nip", "position__title", "position__code")
    list_select_related = ("officer", "position")
    autocomplete_fields = ("officer", "position")
    date_hierarchy = "start_date"
