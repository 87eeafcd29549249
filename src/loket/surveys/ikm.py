"""The IKM computation of PermenPANRB 14/2017, exactly (shared/domain/ikm.md section 3-4).

Pure functions over plain values: no Django, no database. Every intermediate value
is a ``Fraction``; the only rounding is half-up to two decimals on the 25-100
scale, at the end, and grades are read from that rounded value. The values the
spec marks [secondary]/[unverified] (grade bands, labels, display order, the
Krejcie-Morgan constants) come from ``rules.yaml``, not from this module.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ELEMENTS: tuple[str, ...] = ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9")
LOWEST_RATING = 1
HIGHEST_RATING = 4
# The 1-4 perception scale is converted to 25-100 by this factor.
CONVERSION = 25
DEFAULT_RULES_FILE = Path(__file__).with_name("rules.yaml")


class WeightMode(enum.StrEnum):
    """``exact`` is the 1/9 the Permen defines; ``0.11`` reproduces legacy spreadsheets."""

    EXACT = "exact"
    LEGACY = "0.11"


WEIGHTS: dict[WeightMode, Fraction] = {
    WeightMode.EXACT: Fraction(1, len(ELEMENTS)),
    WeightMode.LEGACY: Fraction(11, 100),
}


class RatingError(ValueError):
    """A rating that is not an integer 1-4; names the element so the edge can say which."""

    def __init__(self, element: str, message: str) -> None:
        super().__init__(f"{element}: {message}")
        self.element = element
        self.message = message


@dataclass(frozen=True)
class GradeBand:
    grade: str
    floor: Decimal
    words_id: str
    words_en: str


@dataclass(frozen=True)
class ElementRules:
    name_id: str
    name_en: str
    labels_id: tuple[str, ...]
    labels_en: tuple[str, ...]
    question_id: str = ""
    question_en: str = ""


@dataclass(frozen=True)
class Rules:
    grades: tuple[GradeBand, ...]  # highest floor first
    display_order: tuple[str, ...]
    elements: Mapping[str, ElementRules]
    chi_square: Fraction
    proportion: Fraction
    margin: Fraction


def parse_rules(data: Mapping[str, Any]) -> Rules:
    """Build Rules from the YAML structure; refuses a file that would break the method."""
    grades = tuple(
        sorted(
            (
                GradeBand(
                    grade=str(g["grade"]),
                    floor=Decimal(str(g["floor"])),
                    words_id=str(g["words_id"]),
                    words_en=str(g["words_en"]),
                )
                for g in data["grades"]
            ),
            key=lambda band: band.floor,
            reverse=True,
        )
    )
    if not grades or grades[-1].floor > Decimal(LOWEST_RATING * CONVERSION):
        raise ValueError("grades: the lowest band must start at or below 25.00")
    order = tuple(str(code) for code in data["display_order"])
    if sorted(order) != sorted(ELEMENTS):
        raise ValueError("display_order: must list U1..U9 once each")
    elements: dict[str, ElementRules] = {}
    for code in ELEMENTS:
        raw = data["elements"][code]
        element = ElementRules(
            name_id=str(raw["name_id"]),
            name_en=str(raw["name_en"]),
            labels_id=tuple(str(x) for x in raw["labels_id"]),
            labels_en=tuple(str(x) for x in raw["labels_en"]),
            question_id=str(raw.get("question_id", "")),
            question_en=str(raw.get("question_en", "")),
        )
        if len(element.labels_id) != HIGHEST_RATING or len(element.labels_en) != HIGHEST_RATING:
            raise ValueError(f"elements.{code}: needs four answer labels per language")
        elements[code] = element
    sample = data["sample_size"]
    return Rules(
        grades=grades,
        display_order=order,
        elements=elements,
        chi_square=Fraction(str(sample["chi_square"])),
        proportion=Fraction(str(sample["proportion"])),
        margin=Fraction(str(sample["margin"])),
    )


@cache
def load_rules(path: Path = DEFAULT_RULES_FILE) -> Rules:
    with open(path, encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle))


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Round an exact value half-up (away from zero for .5) to ``places`` decimals."""
    quantum = Decimal(1).scaleb(-places)
    # Decimal(numerator)/Decimal(denominator) would round in the context first;
    # scale in integers so the only rounding is the one asked for.
    scaled = value * 10**places
    whole, remainder = divmod(scaled.numerator, scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        whole += 1
    return (Decimal(whole) * quantum).quantize(quantum, rounding=ROUND_HALF_UP)


def grade_of(value: Decimal, rules: Rules | None = None) -> GradeBand:
    """The band of a value already rounded to two decimals on the 25-100 scale."""
    bands = (rules or load_rules()).grades
    for band in bands:
        if value >= band.floor:
            return band
    return bands[-1]


def check_rating(element: str, value: object) -> int | None:
    """An integer 1-4, or None for a blank; anything else is refused, never clamped."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool):
        raise RatingError(element, "must be an integer from 1 to 4")
    if isinstance(value, int):
        rating = value
    elif isinstance(value, float) and value.is_integer():
        # Spreadsheets hand whole numbers over as floats (3.0).
        rating = int(value)
    elif isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        rating = int(value.strip())
    else:
        raise RatingError(element, "must be an integer from 1 to 4")
    if not LOWEST_RATING <= rating <= HIGHEST_RATING:
        raise RatingError(element, f"{rating} is outside 1-4")
    return rating


@dataclass(frozen=True)
class ElementResult:
    code: str
    respondents: int  # n_j: those who answered this element
    total: int  # sum of their ratings
    nrr: Fraction | None  # None when nobody answered
    converted: Decimal | None  # NRR x 25, rounded once
    grade: GradeBand | None


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    elements: tuple[ElementResult, ...]  # in U1..U9 order
    weight_mode: WeightMode
    skm: Fraction | None  # sum of weighted NRR, 1-4 scale, exact
    ikm: Decimal | None  # 25-100 scale, rounded once; None if an element has no answer
    grade: GradeBand | None

    @property
    def lowest(self) -> tuple[ElementResult, ...]:
        """The three lowest-scoring answered elements: the unit's priorities."""
        answered = [e for e in self.elements if e.nrr is not None]
        return tuple(sorted(answered, key=lambda e: (e.nrr, e.code))[:3])


@dataclass(frozen=True)
class Tally:
    """Sum and count of ratings per element: all the computation needs from the data."""

    respondents: int
    totals: Mapping[str, tuple[int, int]]  # code -> (sum of ratings, n_j)


def tally(responses: Iterable[Mapping[str, object]]) -> Tally:
    """Validate and sum rows of answers keyed U1..U9 (missing keys count as blank)."""
    sums = dict.fromkeys(ELEMENTS, 0)
    counts = dict.fromkeys(ELEMENTS, 0)
    respondents = 0
    for row in responses:
        respondents += 1
        for code in ELEMENTS:
            rating = check_rating(code, row.get(code))
            if rating is not None:
                sums[code] += rating
                counts[code] += 1
    return Tally(respondents, {code: (sums[code], counts[code]) for code in ELEMENTS})


def compute_tally(
    counts: Tally, *, weight_mode: WeightMode | str = WeightMode.EXACT, rules: Rules | None = None
) -> IkmResult:
    """IKM from per-element sums and counts (the database can produce these in one query)."""
    rules = rules or load_rules()
    mode = WeightMode(weight_mode)
    weight = WEIGHTS[mode]
    elements: list[ElementResult] = []
    for code in ELEMENTS:
        total, answered = counts.totals.get(code, (0, 0))
        if answered:
            nrr = Fraction(total, answered)
            converted = round_half_up(nrr * CONVERSION)
            elements.append(
                ElementResult(code, answered, total, nrr, converted, grade_of(converted, rules))
            )
        else:
            elements.append(ElementResult(code, 0, 0, None, None, None))
    nrrs = [e.nrr for e in elements]
    if any(nrr is None for nrr in nrrs):
        return IkmResult(counts.respondents, tuple(elements), mode, None, None, None)
    skm = sum((nrr * weight for nrr in nrrs if nrr is not None), Fraction(0))
    ikm = round_half_up(skm * CONVERSION)
    return IkmResult(counts.respondents, tuple(elements), mode, skm, ikm, grade_of(ikm, rules))


def compute(
    responses: Iterable[Mapping[str, object]],
    *,
    weight_mode: WeightMode | str = WeightMode.EXACT,
    rules: Rules | None = None,
) -> IkmResult:
    """IKM of rows of answers {U1..U9: 1-4 or blank}; raises RatingError on a bad rating."""
    return compute_tally(tally(responses), weight_mode=weight_mode, rules=rules)


def sample_size(population: int, rules: Rules | None = None) -> int:
    """Krejcie-Morgan minimum sample s(N), by the formula, rounded half-up."""
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise ValueError("population must be a whole number of service users, 0 or more")
    if population == 0:
        return 0
    rules = rules or load_rules()
    chi2, p, d = rules.chi_square, rules.proportion, rules.margin
    variance = chi2 * p * (1 - p)
    exact = chi2 * population * p * (1 - p) / (d * d * (population - 1) + variance)
    return int(round_half_up(exact, places=0))
