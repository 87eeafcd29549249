"""Admin: see and lift account lock-outs; Django's user and group pages, hardened."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from loket.accounts import lockout
from loket.accounts.models import AccountLockout
from loket.core.admin_fields import SafeChoicesAdmin


@admin.register(AccountLockout)
class AccountLockoutAdmin(admin.ModelAdmin[AccountLockout]):
    list_display = ["user", "failures", "last_failure_at", "locked_until"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "failures", "window_started_at", "last_failure_at", "locked_until"]
    actions = ["unlock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccountLockout]) -> None:
        user_ids = list(queryset.values_list("user_id", flat=True))
        for user_id in user_ids:
            lockout.clear(user_id=user_id)
        self.message_user(
            request,
            ngettext("%(count)d account unlocked.", "%(count)d accounts unlocked.", len(user_ids))
            % {"count": len(user_ids)},
            messages.SUCCESS,
        )


# Django's own user and group pages, with choices that refuse a crafted id as a form
# error (loket.core.admin_fields) instead of failing on it.
class SafeUserAdmin(SafeChoicesAdmin, UserAdmin):
    pass


class SafeGroupAdmin(SafeChoicesAdmin, GroupAdmin):  # type: ignore[misc]
    pass


admin.site.unregister(User)
admin.site.register(User, SafeUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, SafeGroupAdmin)
