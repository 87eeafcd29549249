"""Checking and normalising where a message goes, and keeping addresses out of errors and logs."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from loket.core.errors import ValidationError
from loket.core.logging import mask_digits

_PHONE_SEPARATORS = re.compile(r"[\s().-]")
# Indonesian mobile numbers: 08xx / 628xx / +628xx, 9 to 13 digits after the country code.
_INDONESIAN_MOBILE = re.compile(r"^\+628\d{7,11}$")
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{7,14}$")  # E.164
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def normalize_email(value: str) -> str:
    address = value.strip()
    try:
        validate_email(address)
    except DjangoValidationError:
        raise ValidationError(_("Enter a valid e-mail address."), field="email") from None
    # The domain part is case-insensitive; the local part is left as the user typed it.
    local, _at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalize_phone(value: str) -> str:
    """Return the number in E.164 form (+62812...), accepting the usual Indonesian spellings."""
    number = _PHONE_SEPARATORS.sub("", value.strip())
    if number.startswith("0"):
        number = "+62" + number[1:]
    elif number.startswith("62"):
        number = "+" + number
    if number.startswith("+62"):
        if not _INDONESIAN_MOBILE.match(number):
            raise ValidationError(_("Enter a valid Indonesian mobile number."), field="phone")
    elif not _INTERNATIONAL.match(number):
        raise ValidationError(_("Enter a valid phone number."), field="phone")
    return number


def mask_recipient(value: str) -> str:
    """`bu***@example.go.id`, `+62******7890`: enough for an operator to recognise."""
    if not value:
        return ""
    if "@" in value:
        local, _at, domain = value.rpartition("@")
        return f"{local[:2]}***@{domain}"
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def scrub(text: str, *, recipient: str = "", limit: int = 500) -> str:
    """Remove personal data (the recipient, e-mail addresses, long numbers) from an error text."""
    if recipient:
        text = text.replace(recipient, mask_recipient(recipient))
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_recipient(m.group(0)), text)
    text = mask_digits(text)
    return text[:limit]
