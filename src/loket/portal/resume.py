"""Getting a lost draft back: a one-time code sent to the contact the draft gave.

The applicant types the e-mail address or mobile number they gave; if a living
draft of the service names it, a six-digit code goes there (e-mail, or SMS through
the notification outbox and its gateway). The page says the same whether or not
a draft exists, so it tells nobody who is applying for what. Codes are kept only
as a keyed hash, live LOKET_RESUME_CODE_MINUTES, work once, and die after
MAX_FAILED_ATTEMPTS wrong tries; sending is braked per contact and per client
address like the account mails.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from loket.accounts.services import may_request_mail
from loket.catalog.fields.builtin import PHONE, normalize_phone
from loket.core import ratelimit
from loket.core.errors import RateLimited, ValidationError
from loket.core.pii import lookup_hash
from loket.notify.services import enqueue
from loket.portal.models import ApplicationDraft, ResumeCode

security_log = logging.getLogger("loket.security")

EVENT = "draft_resume_code"
CODE_DIGITS = 6
MAX_FAILED_ATTEMPTS = 5


def normalize_contact(contact: str) -> tuple[str, str]:
    """('email' | 'phone', the contact as drafts store it); ValidationError if it is neither."""
    text = contact.strip()
    if "@" in text:
        return "email", text.lower()
    phone = normalize_phone(text)
    if PHONE.match(phone):
        return "phone", phone
    raise ValidationError(
        _("Enter the e-mail address or the mobile number you gave in the application."),
        field="contact",
    )


def _hash(code: str) -> str:
    return salted_hmac("loket.portal.resume", code, algorithm="sha256").hexdigest()


def _drafts_for(service_code: str, kind: str, contact: str) -> list[ApplicationDraft]:
    hashed = lookup_hash(contact)
    lookup = {"email_hash": hashed} if kind == "email" else {"phone_hash": hashed}
    return list(
        ApplicationDraft.objects.filter(
            service_code=service_code, expires_at__gt=timezone.now(), **lookup
        ).order_by("-updated_at")
    )


def send_code(
    *, service_code: str, service_name: str, contact: str, language: str, client_address: str
) -> None:
    """Send a code for the contact's newest draft of the service, if there is one.

    Raises RateLimited when this client address asked too often (the page must say
    so); past the per-contact limit nothing is sent and nothing is said.
    """
    kind, normalized = normalize_contact(contact)
    # Counted outside the transaction: the cache may be a database table, and a
    # refusal must not roll its own count back.
    if not may_request_mail(client_address):
        raise RateLimited(_("Too many codes were asked for from here. Try again in an hour."))
    _send(service_code, service_name, kind, normalized, language)


@transaction.atomic
def _send(service_code: str, service_name: str, kind: str, normalized: str, language: str) -> None:
    found = _drafts_for(service_code, kind, normalized)
    if not found:
        return
    if not ratelimit.allow(
        "mail.resume-code",
        normalized,
        limit=int(settings.LOKET_RESUME_CODES_PER_CONTACT),
        window_seconds=int(settings.LOKET_ACCOUNT_MAIL_WINDOW_SECONDS),
    ):
        security_log.warning("resume_code.limited")
        return
    draft = found[0]
    now = timezone.now()
    # Only the newest code works: asking again retires the earlier ones.
    ResumeCode.objects.filter(draft__in=found, used_at__isnull=True).update(used_at=now)
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
    minutes = int(settings.LOKET_RESUME_CODE_MINUTES)
    record = ResumeCode.objects.create(
        draft=draft,
        code_hash=_hash(code),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=minutes),
    )
    enqueue(
        event=EVENT,
        language=language,
        email=normalized if kind == "email" else None,
        phone=normalized if kind == "phone" else None,
        context={"code": code, "service_name": service_name, "valid_minutes": str(minutes)},
        dedupe_key=f"resume-code:{record.pk}",
    )


def redeem(*, service_code: str, contact: str, code: str) -> ApplicationDraft:
    """The draft the code was sent for; the code is used up. ValidationError otherwise
    (the same message for a wrong, expired, used or unknown code)."""
    kind, normalized = normalize_contact(contact)
    draft = _use_code(service_code, kind, normalized, "".join(code.split()))
    if draft is None:
        raise ValidationError(
            _("That code is wrong or has expired. Check the message, or ask for a new code."),
            field="code",
        )
    return draft


@transaction.atomic
def _use_code(service_code: str, kind: str, contact: str, code: str) -> ApplicationDraft | None:
    # Commits the failed attempt too (raising here would roll the count back).
    found = _drafts_for(service_code, kind, contact)
    now = timezone.now()
    live = (
        ResumeCode.objects.select_for_update()
        .filter(draft__in=found, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if live is None:
        return None
    if not constant_time_compare(_hash(code), live.code_hash):
        live.failed_attempts += 1
        if live.failed_attempts >= MAX_FAILED_ATTEMPTS:
            live.used_at = now  # guessing ends here; the owner asks for a new code
            security_log.warning("resume_code.exhausted")
        live.save(update_fields=["failed_attempts", "used_at"])
        return None
    live.used_at = now
    live.save(update_fields=["used_at"])
    return ApplicationDraft.objects.get(pk=live.draft_id)
