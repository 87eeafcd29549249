"""Admin: see and lift access-code lock-outs of the tracking page and API.

A lock-out's key is a hash of the client address and tracking number (`cases.throttle`),
so the admin cannot say whose it is; it shows when each ends and lets an operator lift
one (a citizen behind a shared office address, say) before it lapses."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from loket.cases.models import AccessLockout


@admin.register(AccessLockout)
class AccessLockoutAdmin(admin.ModelAdmin[AccessLockout]):
    list_display = ["key", "locked_until"]
    readonly_fields = ["key", "locked_until"]
    fields = ["key", "locked_until"]
    ordering = ["-until"]
    actions = ["lift"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("Locked until"), ordering="until")
    def locked_until(self, lockout: AccessLockout) -> dt.datetime:
        return dt.datetime.fromtimestamp(lockout.until, tz=dt.UTC)

    @admin.action(description=_("Lift the selected lock-outs"), permissions=["delete"])
    def lift(self, request: HttpRequest, queryset: QuerySet[AccessLockout]) -> None:
        count, _ignored = queryset.delete()
        self.message_user(
            request,
            ngettext("%(count)d lock-out lifted.", "%(count)d lock-outs lifted.", count)
            % {"count": count},
            messages.SUCCESS,
        )
