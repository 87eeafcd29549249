"""Reading and writing numbers the way people in Indonesia type them.

In Bahasa Indonesia "." groups thousands and "," marks decimals (25.000.000;
2,5); in English it is the other way round. A citizen types "25.000.000",
"25000000", "25 juta" or "Rp25.000.000" for the same amount. What could mean
two different amounts is refused, never guessed: "25.00" (twenty-five, or a
badly grouped 2500?), "25,000.50" in Indonesian (separators mixed), "2 M"
(miliar in Indonesian, million in English).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

# Multipliers written after the number; "M", "T" and "K" are left out on purpose:
# "2 M" is two billion to an Indonesian reader and two million to an English one.
SCALE_WORDS = {
    "rb": 3,
    "ribu": 3,
    "jt": 6,
    "juta": 6,
    "miliar": 9,
    "milyar": 9,
    "triliun": 12,
    "thousand": 3,
    "million": 6,
    "billion": 9,
    "trillion": 12,
}
AMBIGUOUS_SCALES = {"m", "t", "k", "b", "mn", "bn"}
# Beyond this the number is not an amount anyone applies with (and floats lose digits).
LIMIT = Decimal(10) ** 15

_CURRENCY = re.compile(r"^(rp\.?|idr)\s*", re.IGNORECASE)
_SPLIT = re.compile(r"^(?P<number>[-+]?[\d.,\s]*\d)\s*(?P<scale>(?:[^\d\s.,]+\.?)?)$", re.ASCII)
_PLAIN = re.compile(r"^\d+$", re.ASCII)
_GROUPED_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$", re.ASCII)
_GROUPED_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$", re.ASCII)
_ID_DECIMAL = re.compile(r"^(\d{1,3}(\.\d{3})+|\d+),\d+$", re.ASCII)
_EN_DECIMAL = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)\.\d+$", re.ASCII)
_ONE_MARK = re.compile(r"^\d+[.,]\d+$", re.ASCII)
_SWAP_SEPARATORS = str.maketrans(",.", ".,")
_SPACED_GROUPS = re.compile(r"(?<=\d) (?=\d{3}(\D|$))", re.ASCII)


class NumberFormatError(ValueError):
    """The text is not a number, or could be read as more than one number."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def parse_number(text: str, *, language: str = "id", currency: bool = False) -> Decimal:
    """The number `text` means to a reader of `language` ("id" or "en").

    Accepts plain digits, thousands grouped with the language's separator (or with
    the other one when it cannot be a decimal mark: "25.000.000" in English), a decimal
    part with the language's mark, a scale word ("25 juta", "1,5 juta", "2 miliar")
    and, when `currency`, a leading "Rp"/"IDR". Raises NumberFormatError otherwise.
    """
    raw = " ".join(str(text).replace("\u00a0", " ").split())
    if currency:
        raw = _CURRENCY.sub("", raw)
    match = _SPLIT.match(raw)
    if not match:
        raise NumberFormatError(_("Enter a number, e.g. 25.000.000."), code="not_a_number")
    scale = _scale(match.group("scale"))
    number = _SPACED_GROUPS.sub("", match.group("number"))
    sign = ""
    if number[0] in "+-":
        sign, number = ("-" if number[0] == "-" else ""), number[1:].lstrip()
    if " " in number:
        raise NumberFormatError(_("Enter a number, e.g. 25.000.000."), code="not_a_number")
    try:
        value = Decimal(sign + _canonical(number, language, currency=currency)).scaleb(scale)
    except InvalidOperation:
        raise NumberFormatError(
            _("Enter a number, e.g. 25.000.000."), code="not_a_number"
        ) from None
    if abs(value) >= LIMIT:
        raise NumberFormatError(_("The number is too large."), code="too_large")
    return value


def _scale(word: str) -> int:
    word = word.lower().rstrip(".")
    if not word:
        return 0
    if word in SCALE_WORDS:
        return SCALE_WORDS[word]
    if word in AMBIGUOUS_SCALES:
        raise NumberFormatError(
            _("Write the amount in full or with “juta” or “miliar”, e.g. 2 miliar."),
            code="ambiguous_scale",
        )
    raise NumberFormatError(_("Enter a number, e.g. 25.000.000."), code="not_a_number")


def _canonical(number: str, language: str, *, currency: bool) -> str:
    """The digits of `number` with "." as the only (decimal) mark."""
    thousands, decimal = (",", ".") if language == "en" else (".", ",")
    if _PLAIN.match(number):
        return number
    grouped = _GROUPED_COMMA if thousands == "," else _GROUPED_DOT
    other_grouped = _GROUPED_DOT if thousands == "," else _GROUPED_COMMA
    if grouped.match(number):
        return number.replace(thousands, "")
    if currency and other_grouped.match(number) and number.count(decimal) == 1:
        # "25,000" as an amount in Indonesian: 25 rupiah and 0 sen, or twenty-five thousand?
        raise NumberFormatError(_ambiguous_text(language), code="ambiguous_separator")
    # "25.000.000" in English: two marks of one kind cannot both be decimal marks.
    if other_grouped.match(number) and number.count(decimal) > 1:
        return number.replace(decimal, "")
    own_decimal = _EN_DECIMAL if language == "en" else _ID_DECIMAL
    if own_decimal.match(number):
        return number.replace(thousands, "").replace(decimal, ".")
    if "," in number and "." in number:
        raise NumberFormatError(
            _(
                "Use “.” only to group thousands and “,” only before decimals, "
                "e.g. 25.000.000 or 2,5."
            )
            if language != "en"
            else _(
                "Use “,” only to group thousands and “.” only before decimals, "
                "e.g. 25,000,000 or 2.5."
            ),
            code="mixed_separators",
        )
    if number.count(thousands) == 1 and _ONE_MARK.match(number):
        # "25.00" in Indonesian: a badly grouped 2.500, or a decimal typed the English way?
        raise NumberFormatError(_ambiguous_text(language), code="ambiguous_separator")
    if number.count(decimal) == 1 and _ONE_MARK.match(number):
        return number.replace(decimal, ".")
    raise NumberFormatError(
        _("Group thousands in threes, e.g. 25.000.000.")
        if language != "en"
        else _("Group thousands in threes, e.g. 25,000,000."),
        code="bad_grouping",
    )


def _ambiguous_text(language: str) -> str:
    if language == "en":
        return _("Write decimals with a point (2.5) and group thousands in threes (25,000,000).")
    return _("Write decimals with a comma (2,5) and group thousands in threes (25.000.000).")


def format_number(value: Decimal | int | float, *, language: str = "id") -> str:
    """`value` with the language's separators: 25000000 -> "25.000.000", 2.5 -> "2,5"."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    # normalize() drops trailing zeros (2.50 -> 2.5) but writes 2.5E+7 for 25000000.0
    number = number.quantize(Decimal(1)) if number % 1 == 0 else number.normalize()
    text = f"{number:,f}"
    if language == "en":
        return text
    return text.translate(_SWAP_SEPARATORS)


def format_rupiah(value: Decimal | int | float, *, language: str = "id") -> str:
    """An amount in rupiah as people read it: "Rp25.000.000" ("Rp25,000,000" in English)."""
    return "Rp" + format_number(value, language=language)
