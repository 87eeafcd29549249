"""Machine accounts: API keys for integrations, with scopes, expiry and revocation.

A person signs in with a password and a second factor; an integration (a
LAPOR! bridge, an Open311 client, a data exchange) gets a machine account
instead. An operator creates one on the server (`loket apikey create`); the key
is printed once and only its SHA-256 is stored. Every creation, revocation and
refused use is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.accounts.models import MachineAccount
from loket.core.errors import NotFound, ValidationError
from loket.org.models import Agency

audit_log = logging.getLogger("loket.audit")

# Every scope a machine account may be given, and what it opens.
SCOPES: dict[str, str] = {
    "applications:submit": "submit applications on behalf of applicants",
    "cases:read": "read cases of the account's agency (personal data masked)",
    "open311": "the Open311 GeoReport v2 complaints API",
    "webhooks": "manage the account's webhook subscriptions and see their deliveries",
}
KEY_PREFIX = "lkm_"  # tells a machine key from an officer token at a glance
DEFAULT_LIFETIME_DAYS = 365
MAX_LIFETIME_DAYS = 3 * 365


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create(
    *,
    name: str,
    scopes: list[str],
    created_by: str,
    agency_code: str = "",
    lifetime_days: int = DEFAULT_LIFETIME_DAYS,
    now: dt.datetime | None = None,
) -> tuple[str, MachineAccount]:
    """Create a machine account; returns (the key, shown only now, and the stored account)."""
    name = (name or "").strip()
    if not name or len(name) > 80 or not name.isprintable():
        raise ValidationError(_("Give the account a name of 1 to 80 characters."), field="name")
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise ValidationError(
            _("Unknown scope %(scopes)s; the scopes are: %(known)s.")
            % {"scopes": ", ".join(unknown) or "-", "known": ", ".join(sorted(SCOPES))},
            field="scope",
        )
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise ValidationError(
            _("The key must expire within 1 to %(max)d days.") % {"max": MAX_LIFETIME_DAYS},
            field="expires-days",
        )
    if MachineAccount.objects.filter(name=name).exists():
        raise ValidationError(
            _("There is already a machine account named %(name)s.") % {"name": name},
            field="name",
        )
    agency = _agency(agency_code)
    now = now or timezone.now()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    account = MachineAccount.objects.create(
        name=name,
        agency=agency,
        key_hash=digest(key),
        prefix=key[:12],
        scopes=sorted(set(scopes)),
        created_at=now,
        created_by=created_by[:150],
        expires_at=now + dt.timedelta(days=lifetime_days),
    )
    audit_log.info(
        "machine account %s created by %s with scopes %s", name, created_by, account.scopes
    )
    return key, account


def _agency(code: str) -> Agency:
    agencies = Agency.objects.all()
    if code:
        agency = agencies.filter(code=code).first()
        if agency is None:
            raise NotFound(_("There is no agency %(code)s.") % {"code": code}, field="agency")
        return agency
    if agencies.count() != 1:
        raise ValidationError(
            _("Name the agency the account works for (--agency CODE)."), field="agency"
        )
    return agencies.get()


@transaction.atomic
def revoke(*, name: str, revoked_by: str, now: dt.datetime | None = None) -> MachineAccount:
    """Revoke the account's key at once; revoking twice keeps the first moment."""
    account = MachineAccount.objects.select_for_update().filter(name=name).first()
    if account is None:
        raise NotFound(
            _("There is no machine account named %(name)s.") % {"name": name}, field="name"
        )
    if account.revoked_at is None:
        account.revoked_at = now or timezone.now()
        account.revoked_by = revoked_by[:150]
        account.save(update_fields=["revoked_at", "revoked_by"])
        audit_log.info("machine account %s revoked by %s", name, revoked_by)
    return account


def account_for_key(key: str, *, now: dt.datetime | None = None) -> MachineAccount | None:
    """The usable account the key belongs to, or None (unknown, revoked or expired)."""
    if not key or not key.startswith(KEY_PREFIX):
        return None
    account = MachineAccount.objects.filter(key_hash=digest(key)).first()
    now = now or timezone.now()
    if account is None:
        return None
    if account.revoked_at is not None or account.expires_at <= now:
        audit_log.warning("refused %s key of machine account %s", _state(account, now), account)
        return None
    # Record use at most once a minute: a busy integration should not write on every call.
    if account.last_used_at is None or now - account.last_used_at > dt.timedelta(minutes=1):
        MachineAccount.objects.filter(pk=account.pk).update(last_used_at=now)
    return account


def _state(account: MachineAccount, now: dt.datetime) -> str:
    return "revoked" if account.revoked_at is not None else "expired"


def accounts() -> list[MachineAccount]:
    return list(MachineAccount.objects.select_related("agency").order_by("name"))
