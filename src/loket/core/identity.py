"""Structural validation of the NIK (Nomor Induk Kependudukan).

A NIK has 16 digits: 6 for the region where it was issued (province, regency or
city, district: PP KK CC), 6 for the birth date as DDMMYY with 40 added to the
day for women, and a 4-digit serial that is never 0000. The region must be a
district on the Kemendagri region list; beyond that we check structure only:
whether the number was really issued is Dukcapil's business.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core.errors import ValidationError

# Kemendagri region codes (kecamatan, PPKKCC), shipped as data: see data/SOURCE.md.
_REGIONS_FILE = Path(__file__).with_name("data") / "nik_regions.json"


@functools.cache
def _regions() -> tuple[frozenset[str], frozenset[str]]:
    """Current district codes, and district codes of earlier Kemendagri lists.

    A NIK keeps the region code it was issued under, so a district that was later
    split off or moved (e.g. to the Papua provinces created in 2022) still appears
    in valid NIKs: those former codes are accepted too.
    """
    data = json.loads(_REGIONS_FILE.read_text(encoding="utf-8"))
    return frozenset(data["current"]), frozenset(data["former"])


@functools.cache  # derived from the cached list; was ~1.5 ms per NIK check (issue 11)
def province_codes() -> frozenset[str]:
    """The 38 province codes of the current list (Papua is 91-96; there is no 97)."""
    current, _former = _regions()
    return frozenset(code[:2] for code in current)


def is_known_region(region: str) -> bool:
    """Whether a six-digit district code is (or was) on the Kemendagri list."""
    current, former = _regions()
    return region in current or region in former


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
    if province not in province_codes():
        raise ValidationError(
            _("The NIK starts with %(code)s, which is not an Indonesian province code.")
            % {"code": province},
            field="nik",
            code="nik_region",
        )
    if not is_known_region(value[0:6]):
        raise ValidationError(
            _(
                "Digits 1 to 6 of the NIK (%(code)s) are not a district code "
                "on the Kemendagri region list."
            )
            % {"code": value[0:6]},
            field="nik",
            code="nik_region",
        )
    day, month, year = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sex = "F" if day > 40 else "M"
    if day > 40:
        day -= 40
    try:
        birth_date = _birth_date(day, month, year, today or timezone.localdate())
    except ValueError:
        raise ValidationError(
            # Plain words for the applicant; the rule itself is in the module docstring.
            _("This NIK does not hold a real date of birth. Check the 16 digits on your KTP."),
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
