"""Document numbers from a definition's pattern, gap-free per agency and year.

A pattern such as ``503/{seq}/IUM/DPMPTSP/{year}`` may use these placeholders:

- ``{seq}``: the agency's next number in the year, zero-padded to 4 digits
  (``{seq:6}`` pads to 6; ``{seq:1}`` does not pad). Required.
- ``{year}``: four-digit year; ``{month}``: two-digit month;
  ``{month_roman}``: the month in Roman numerals (I..XII), as Indonesian
  letter numbers often use; ``{unit}``: the issuing unit's code;
  ``{klasifikasi}``: the service's archive classification code (Permendagri 83/2022).

The number is drawn under a row lock inside the caller's transaction, so a
rolled-back issue gives its number back and two concurrent issues never get
the same one.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core.errors import ValidationError
from loket.documents.models import DocumentSequence
from loket.org.models import Agency

DEFAULT_SEQ_WIDTH = 4
_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::(\d))?\}")
_KNOWN = {"seq", "year", "month", "month_roman", "unit", "klasifikasi"}
_ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def validate_pattern(pattern: str) -> None:
    """Raise `ValidationError(field="number_pattern")` unless the pattern is usable."""
    names = [match.group(1) for match in _PLACEHOLDER.finditer(pattern)]
    unknown = sorted(set(names) - _KNOWN)
    if unknown:
        raise ValidationError(
            _("Unknown placeholder in the number pattern: %(names)s")
            % {"names": ", ".join(unknown)},
            field="number_pattern",
        )
    leftover = _PLACEHOLDER.sub("", pattern)
    if "{" in leftover or "}" in leftover:
        raise ValidationError(
            _("The number pattern has a malformed placeholder: %(pattern)s") % {"pattern": pattern},
            field="number_pattern",
        )
    if names.count("seq") != 1:
        raise ValidationError(
            _("The number pattern must contain {seq} exactly once."), field="number_pattern"
        )


def format_number(
    pattern: str, *, seq: int, at: datetime, unit: str = "", classification: str = ""
) -> str:
    """Fill the pattern for a sequence number and a moment (read in local time)."""
    validate_pattern(pattern)
    local = timezone.localtime(at) if timezone.is_aware(at) else at
    values = {
        "year": f"{local.year:04d}",
        "month": f"{local.month:02d}",
        "month_roman": _ROMAN_MONTHS[local.month - 1],
        "unit": unit,
        "klasifikasi": classification,
    }

    def fill(match: re.Match[str]) -> str:
        name, width = match.group(1), match.group(2)
        if name == "seq":
            return f"{seq:0{int(width) if width else DEFAULT_SEQ_WIDTH}d}"
        return values[name]

    return _PLACEHOLDER.sub(fill, pattern)


def next_number(
    agency: Agency, pattern: str, at: datetime, *, unit: str = "", classification: str = ""
) -> str:
    """Draw the agency's next number for the year of `at` and format it.

    Must run inside the caller's transaction: the sequence row stays locked
    until it commits, and a rollback returns the number.
    """
    validate_pattern(pattern)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must be called inside a transaction")
    year = (timezone.localtime(at) if timezone.is_aware(at) else at).year
    # Create the row if this is the year's first number; ignore_conflicts makes
    # a concurrent creator harmless, and the lock below serialises the rest.
    DocumentSequence.objects.bulk_create(
        [DocumentSequence(agency=agency, year=year, last=0)], ignore_conflicts=True
    )
    sequence = DocumentSequence.objects.select_for_update().get(agency=agency, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return format_number(
        pattern, seq=sequence.last, at=at, unit=unit, classification=classification
    )
