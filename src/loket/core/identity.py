"""Structural validation of the NIK (Nomor Induk Kependudukan).

A NIK has 16 digits: 6 for the region where it was issued (province, regency or
city, district: PP KK CC), 6 for the birth date as DDMMYY with 40 added to the
day for women, and a 4-digit serial that is never 0000. We check structure
only; whether the number was really issued is Dukcapil's business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from loket.core.errors import ValidationError

# Province codes in use (Kemendagri), including the Papua provinces created in 2022.
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "21",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "51",
        "52",
        "53",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "72",
        "73",
        "74",
        "75",
        "76",
        "81",
        "82",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
        "97",
    }
)


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province: str
    regency: str
    district: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    serial: str

    @property
    def region(self) -> str:
        return self.province + self.regency + self.district


def _birth_date(day: int, month: int, two_digit_year: int, today: dt.date) -> dt.date:
    # The year has two digits: take the most recent century that is not in the future.
    year = 2000 + two_digit_year
    if year > today.year:
        year -= 100
    candidate = dt.date(year, month, day)  # may raise ValueError
    if candidate > today:
        candidate = dt.date(year - 100, month, day)
    return candidate


def validate_nik(nik: str, *, today: dt.date | None = None) -> NikInfo:
    """Return what a NIK says about its holder, or raise ValidationError(field="nik")."""
    value = (nik or "").strip().replace(" ", "").replace(".", "")
    if len(value) != 16 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("A NIK has exactly 16 digits."), field="nik", code="nik_format")
    province, regency, district = value[0:2], value[2:4], value[4:6]
    if province not in PROVINCE_CODES:
        raise ValidationError(
            _("The NIK starts with %(code)s, which is not an Indonesian province code.")
            % {"code": province},
            field="nik",
            code="nik_region",
        )
    if regency == "00" or district == "00":
        raise ValidationError(
            _("The region part of the NIK (digits 3 to 6) is not valid."),
            field="nik",
            code="nik_region",
        )
    day, month, year = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sex = "F" if day > 40 else "M"
    if day > 40:
        day -= 40
    try:
        birth_date = _birth_date(day, month, year, today or dt.date.today())
    except ValueError:
        raise ValidationError(
            _(
                "Digits 7 to 12 of the NIK are not a valid birth date "
                "(DDMMYY, +40 on the day for women)."
            ),
            field="nik",
            code="nik_birth_date",
        ) from None
    serial = value[12:16]
    if serial == "0000":
        raise ValidationError(
            _("The last four digits of the NIK (serial number) cannot be 0000."),
            field="nik",
            code="nik_serial",
        )
    return NikInfo(
        nik=value,
        province=province,
        regency=regency,
        district=district,
        birth_date=birth_date,
        sex=sex,
        serial=serial,
    )
