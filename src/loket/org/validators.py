"""The NIP (Nomor Induk Pegawai), the 18-digit number of an Indonesian civil servant.

Layout (PP 11/2017 and BKN rules): ``YYYYMMDD YYYYMM S NNN``

* ``YYYYMMDD``: date of birth;
* ``YYYYMM``: month of appointment as a candidate civil servant (TMT CPNS);
* ``S``: sex, 1 = male, 2 = female;
* ``NNN``: serial number among officers sharing the rest, from 001.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core.errors import ValidationError

NIP_LENGTH = 18
# Civil servants are appointed from 18 years of age (PP 11/2017 art. 23).
MINIMUM_AGE = 18

Sex = Literal["male", "female"]


@dataclass(frozen=True)
class NipInfo:
    nip: str
    birth_date: dt.date
    # TMT CPNS: the NIP records only the month, so this is its first day.
    appointed_from: dt.date
    sex: Sex
    serial: int


def _fail(message: str, code: str) -> ValidationError:
    return ValidationError(message, field="nip", code=code)


def _birth_date(nip: str, today: dt.date) -> dt.date:
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise _fail(
            _("The first 8 digits of the NIP (%(part)s) are not a real date of birth (YYYYMMDD).")
            % {"part": nip[0:8]},
            "nip_birth_date",
        ) from None
    if birth > today:
        raise _fail(
            _("The date of birth in the NIP (%(date)s) is in the future.")
            % {"date": birth.isoformat()},
            "nip_birth_date",
        )
    return birth


def _appointment_month(nip: str, birth: dt.date, today: dt.date) -> dt.date:
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or year < dt.MINYEAR:
        raise _fail(
            _("Digits 9–14 of the NIP (%(part)s) are not a real appointment month (YYYYMM).")
            % {"part": nip[8:14]},
            "nip_appointment_month",
        )
    appointed = dt.date(year, month, 1)
    # Only the month is known, so compare months: an officer who turns 18 in
    # May may hold a TMT of that May.
    if (year, month) < (birth.year + MINIMUM_AGE, birth.month):
        raise _fail(
            _(
                "The appointment month in the NIP (%(month)s) is before the officer "
                "turned %(age)d (born %(birth)s)."
            )
            % {"month": f"{year:04d}-{month:02d}", "age": MINIMUM_AGE, "birth": birth.isoformat()},
            "nip_appointment_month",
        )
    if (year, month) > (today.year, today.month):
        raise _fail(
            _("The appointment month in the NIP (%(month)s) is in the future.")
            % {"month": f"{year:04d}-{month:02d}"},
            "nip_appointment_month",
        )
    return appointed


def validate_nip(nip: str, *, today: dt.date | None = None) -> NipInfo:
    """Check an 18-digit NIP part by part and return what it encodes.

    Raises ``loket.core.errors.ValidationError(field="nip")`` whose message says
    which part is wrong. ``today`` defaults to the local date (settings.TIME_ZONE).
    """
    if not isinstance(nip, str) or len(nip) != NIP_LENGTH or not nip.isascii() or not nip.isdigit():
        raise _fail(
            _("A NIP is exactly %(length)d digits, without spaces or punctuation.")
            % {"length": NIP_LENGTH},
            "nip_format",
        )
    today = today or timezone.localdate()
    birth = _birth_date(nip, today)
    appointed = _appointment_month(nip, birth, today)
    sex_digit = nip[14]
    if sex_digit not in {"1", "2"}:
        raise _fail(
            _("Digit 15 of the NIP (%(digit)s) must be 1 (male) or 2 (female).")
            % {"digit": sex_digit},
            "nip_sex",
        )
    serial = int(nip[15:18])
    if serial == 0:
        raise _fail(_("The serial number in the NIP (last 3 digits) cannot be 000."), "nip_serial")
    sex: Sex = "male" if sex_digit == "1" else "female"
    return NipInfo(nip=nip, birth_date=birth, appointed_from=appointed, sex=sex, serial=serial)


def nip_field_validator(value: str) -> None:
    """Model/form field validator: the same rules, as Django's ValidationError."""
    try:
        validate_nip(value)
    except ValidationError as error:
        raise DjangoValidationError(error.message, code=error.code) from error
