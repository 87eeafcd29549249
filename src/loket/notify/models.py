"""The notification outbox: one row per message per channel, written in the caller's transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.core.pii import EncryptedTextField


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    INAPP = "inapp", _("In-app")
    WEBHOOK = "webhook", _("Webhook")


class Language(models.TextChoices):
    INDONESIAN = "id", _("Bahasa Indonesia")
    ENGLISH = "en", _("English")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")  # waiting for its first or next attempt
    SENDING = "sending", _("Sending")  # claimed by a worker under a lease
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")  # the channel said it can never be delivered
    DEAD = "dead", _("Dead")  # retries exhausted


class OutboxMessage(models.Model):
    """A message promised to someone, rendered when the promise was made.

    Subject and body are rendered at enqueue time so a later template change does
    not alter what was promised. `recipient` (e-mail address or phone number) and
    `body` are personal data and encrypted at rest; in-app messages address
    `recipient_user`.
    """

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = EncryptedTextField(_("recipient"), blank=True, default="")
    # No index of its own: notify_inbox_idx begins with the recipient user and serves
    # the inbox and the CASCADE when a user is deleted.
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    event = models.CharField(_("event"), max_length=64)
    subject = models.CharField(_("subject"), max_length=255, blank=True, default="")
    # The body carries the applicant's name and, for some events, the access code or
    # a single-use survey link: personal and secret, so encrypted at rest like NIK.
    body = EncryptedTextField(_("body"))
    dedupe_key = models.CharField(_("deduplication key"), max_length=200)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True, default="")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key", "channel"], name="notify_outbox_unique_dedupe_channel"
            ),
            models.CheckConstraint(
                condition=~models.Q(channel="inapp") | models.Q(recipient_user__isnull=False),
                name="notify_outbox_inapp_has_user",
            ),
        ]
        indexes = [
            # The worker's "what is due" query and the sweep for expired leases.
            models.Index(fields=["status", "next_attempt_at"], name="notify_due_idx"),
            models.Index(fields=["status", "claimed_at"], name="notify_lease_idx"),
            # A user's in-app inbox.
            models.Index(fields=["recipient_user", "channel", "read_at"], name="notify_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} [{self.channel}] #{self.pk}"

    @property
    def is_final(self) -> bool:
        return self.status in {Status.SENT, Status.FAILED, Status.DEAD}


class WebhookSubscription(models.Model):
    """An integration's callback URL for some event types (a machine account's own).

    Deliveries are outbox messages of the webhook channel (retries, backoff, a log
    per attempt); each is signed with this subscription's secret, kept encrypted.
    """

    machine_account = models.ForeignKey(
        "accounts.MachineAccount", on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("URL"), max_length=500)
    event_types: models.JSONField[list[str], list[str]] = models.JSONField(
        _("event types"), default=list
    )
    secret = EncryptedTextField(_("signing secret"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.machine_account_id} → {self.url}"
