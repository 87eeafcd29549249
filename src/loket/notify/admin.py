"""Operators see the outbox read-only and can send failed messages again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .events import EVENTS
from .models import OutboxMessage
from .recipients import mask_recipient


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "event",
        "channel",
        "masked_recipient",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "event", "language"]
    search_fields = ["dedupe_key", "subject"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    # The recipient column is encrypted; show it masked, never in full.
    exclude = ["recipient", "claim_token", "body"]
    readonly_fields = [
        "masked_recipient",
        "recipient_user",
        "channel",
        "language",
        "event",
        "dedupe_key",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
        "read_at",
        "subject",
        "shown_body",
    ]

    @admin.display(description=_("recipient"))
    def masked_recipient(self, obj: OutboxMessage) -> str:
        return mask_recipient(obj.recipient) if obj.recipient else str(obj.recipient_user or "")

    @admin.display(description=_("body"))
    def shown_body(self, obj: OutboxMessage) -> str:
        # An operator watching delivery needs status and errors, not the access code
        # or survey link that would let them act as the applicant.
        spec = EVENTS.get(obj.event)
        if spec is None or spec.may_carry_secret:
            return str(_("(hidden: this message may carry an access code or a personal link)"))
        return str(obj.body)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = services.retry_now(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
