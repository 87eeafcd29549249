"""Accounts: officers' API bearer tokens (applicants' sign-in lives beside this later)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """An opaque bearer token for an officer; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters, so an officer can tell their tokens apart in the admin.
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class AccountLockout(models.Model):
    """Failed sign-ins of one account from any address, and the lock they caused.

    django-axes counts per username and client address; this counts per account, so
    guesses spread over many addresses still lock it. An administrator unlocks it by
    deleting the row (or the admin action); the lock also ends by itself at
    `locked_until`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lockout"
    )
    failures = models.PositiveIntegerField(_("failed sign-ins"), default=0)
    window_started_at = models.DateTimeField(_("counting since"), default=timezone.now)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("account lock-out")
        verbose_name_plural = _("account lock-outs")
        ordering = ["-last_failure_at"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class MachineAccount(models.Model):
    """An integration's key for the API (not a person): scoped, expiring, revocable.

    Created by an operator with `loket apikey create`; the key is shown once and
    only its SHA-256 is kept. Who created or revoked it, and when, stays on the row.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters, so an operator can tell keys apart in `loket apikey list`.
    prefix = models.CharField(max_length=12)
    scopes: models.JSONField[list[str], list[str]] = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(_("created by"), max_length=150)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("machine account")
        verbose_name_plural = _("machine accounts")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.prefix}…"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])
