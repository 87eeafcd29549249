"""A lost access code: a new one, sent only to the contact the applicant gave.

Whoever asks names the tracking number and the e-mail address or mobile number
given in the application. If both match, a new code replaces the old one (which
stops working) and goes to that contact, never to the asker's screen. The
answer to the asker is the same whether or not anything matched, so the form
tells a stranger nothing about which numbers or contacts exist; the caller
brakes how often it may be asked (`loket.portal.recovery`).
"""

from __future__ import annotations

import logging

from django.db import transaction

from loket.cases import numbers, ports
from loket.cases.flow import track_url
from loket.cases.models import Case
from loket.catalog.fields.builtin import normalize_phone

security_log = logging.getLogger("loket.security")


def contact_matches(case: Case, contact: str) -> str:
    """ "email" or "sms" when `contact` is the case's e-mail or phone, else ""."""
    given = (contact or "").strip()
    if "@" in given:
        on_file = (case.applicant_email or "").strip()
        return "email" if on_file and on_file.casefold() == given.casefold() else ""
    phone = normalize_phone(given)
    on_file = normalize_phone(case.applicant_phone or "")
    return "sms" if phone and on_file and phone == on_file else ""


@transaction.atomic
def reissue_access_code(*, tracking_number: str, contact: str) -> bool:
    """Replace the case's access code and send the new one to the matching contact.

    One transaction: the new code's hash and the outbox message are written
    together (the worker sends after commit). Returns whether a code was sent;
    callers facing the public must not show it.
    """
    number = (tracking_number or "").strip().upper()
    case = (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("service", "agency")
        .filter(tracking_number=number)
        .first()
    )
    channel = contact_matches(case, contact) if case is not None else ""
    if case is None or not channel:
        return False
    code = numbers.new_access_code()
    case.access_code_hash = numbers.hash_access_code(case.tracking_number, code)
    case.save(update_fields=["access_code_hash", "updated_at"])
    service_name = (case.service.name_en if case.language == "en" else "") or case.service.name
    ports.enqueue_notification(
        event="access_code_reissued",
        language=case.language,
        email=case.applicant_email if channel == "email" else None,
        phone=case.applicant_phone if channel == "sms" else None,
        context={
            "applicant_name": case.applicant_name,
            "tracking_number": case.tracking_number,
            "service_name": service_name,
            "track_url": track_url(case),
            "access_code": code,
            "agency_name": case.agency.name,
        },
        dedupe_key=f"access-code:{case.pk}:{case.access_code_hash[-24:]}",
    )
    security_log.info("access_code.reissued case=%s channel=%s", case.pk, channel)
    return True
