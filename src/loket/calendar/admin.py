"""Admin for working-day calendars and their exceptional days."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.calendar.collective_leave import load_collective_leave
from loket.calendar.models import CalendarDay, WorkingCalendar
from loket.core.admin_fields import SafeChoicesAdmin
from loket.core.errors import LoketError


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1
    fields = ("date", "kind", "description")
    ordering = ("-date",)


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(SafeChoicesAdmin, admin.ModelAdmin):
    list_display = ("agency", "working_weekdays", "work_starts", "work_ends", "national_holidays")
    list_filter = ("national_holidays",)
    search_fields = ("agency__name", "agency__code")
    list_select_related = ("agency",)
    autocomplete_fields = ("agency",)
    inlines = (CalendarDayInline,)
    actions = ("load_collective_leave_action",)

    @admin.action(description=_("Add this year's and next year's collective leave (cuti bersama)"))
    def load_collective_leave_action(
        self, request: HttpRequest, queryset: QuerySet[WorkingCalendar]
    ) -> None:
        this_year = timezone.localdate().year
        for calendar in queryset.select_related("agency"):
            added = 0
            for year in (this_year, this_year + 1):
                try:
                    added += len(load_collective_leave(calendar, [year]))
                except LoketError as error:  # next year's decree may not be out yet
                    self.message_user(request, f"{calendar}: {error.message}", messages.WARNING)
            self.message_user(
                request,
                _("%(calendar)s: %(count)d collective leave days added.")
                % {"calendar": calendar, "count": added},
                messages.SUCCESS,
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "description", "calendar")
    list_filter = ("kind", "calendar")
    search_fields = ("description", "calendar__agency__name")
    list_select_related = ("calendar__agency",)
    date_hierarchy = "date"
