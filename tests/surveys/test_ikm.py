"""The IKM method of PermenPANRB 14/2017 (shared/domain/ikm.md), pinned value by value."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from loket.surveys import ikm
from loket.surveys.ikm import ELEMENTS, RatingError, Tally, WeightMode

ALL = ELEMENTS


def row(*ratings: int | None) -> dict[str, int | None]:
    return dict(zip(ALL, ratings, strict=True))


def uniform(total: int, respondents: int) -> Tally:
    """Every element answered by every respondent with the same sum of ratings."""
    return Tally(respondents, dict.fromkeys(ALL, (total, respondents)))


# A hand-worked example: four respondents, the fourth left U9 blank.
#   U1 12/4=3    U2 14/4=3.5  U3 12/4=3   U4 15/4=3.75  U5 14/4=3.5
#   U6 13/4=3.25 U7 15/4=3.75 U8 12/4=3   U9 10/3 (three answers)
#   sum NRR = 107/4 + 10/3 = 361/12; SKM = 361/108; IKM = 9025/108 = 83.5648.. -> 83.56 B
#   (counting the blank as an answer of 0 would make NRR(U9) 2.5 and the IKM 81.25)
HAND_WORKED = [
    row(4, 4, 4, 4, 4, 4, 4, 4, 4),
    row(3, 3, 3, 3, 3, 3, 3, 3, 3),
    row(3, 4, 2, 4, 3, 3, 4, 2, 3),
    row(2, 3, 3, 4, 4, 3, 4, 3, None),
]


def test_hand_worked_example_with_a_blank_answer() -> None:
    result = ikm.compute(HAND_WORKED)

    assert result.respondents == 4
    assert [e.nrr for e in result.elements] == [
        Fraction(3),
        Fraction(7, 2),
        Fraction(3),
        Fraction(15, 4),
        Fraction(7, 2),
        Fraction(13, 4),
        Fraction(15, 4),
        Fraction(3),
        Fraction(10, 3),
    ]
    assert [e.respondents for e in result.elements] == [4, 4, 4, 4, 4, 4, 4, 4, 3]
    assert result.skm == Fraction(361, 108)
    assert result.ikm == Decimal("83.56")
    assert result.grade is not None
    assert (result.grade.grade, result.grade.words_id) == ("B", "Baik")


def test_hand_worked_example_grades_each_element_on_its_converted_value() -> None:
    result = ikm.compute(HAND_WORKED)

    converted = [str(e.converted) for e in result.elements]
    grades = [e.grade.grade for e in result.elements if e.grade]
    assert converted == [
        "75.00",
        "87.50",
        "75.00",
        "93.75",
        "87.50",
        "81.25",
        "93.75",
        "75.00",
        "83.33",
    ]
    assert grades == ["C", "B", "C", "A", "B", "B", "A", "C", "B"]


def test_three_lowest_elements_are_the_priorities() -> None:
    result = ikm.compute(HAND_WORKED)

    assert [e.code for e in result.lowest] == ["U1", "U3", "U8"]


def test_hand_worked_example_with_the_legacy_weight() -> None:
    # 361/12 x 0.11 x 25 = 82.729.. -> 82.73
    result = ikm.compute(HAND_WORKED, weight_mode="0.11")

    assert result.weight_mode is WeightMode.LEGACY
    assert result.skm == Fraction(361, 12) * Fraction(11, 100)
    assert result.ikm == Decimal("82.73")


def test_all_fours_give_100_and_grade_a() -> None:
    result = ikm.compute([row(*[4] * 9)] * 3)

    assert result.ikm == Decimal("100.00")
    assert str(result.ikm) == "100.00"
    assert result.skm == 4
    assert result.grade is not None
    assert (result.grade.grade, result.grade.words_id, result.grade.words_en) == (
        "A",
        "Sangat baik",
        "Very good",
    )


def test_all_ones_give_25_and_grade_d() -> None:
    result = ikm.compute([row(*[1] * 9)] * 2)

    assert str(result.ikm) == "25.00"
    assert result.skm == 1
    assert result.grade is not None
    assert (result.grade.grade, result.grade.words_id, result.grade.words_en) == (
        "D",
        "Tidak baik",
        "Not good",
    )


def test_legacy_weight_caps_the_index_at_99() -> None:
    result = ikm.compute([row(*[4] * 9)], weight_mode=WeightMode.LEGACY)

    assert str(result.ikm) == "99.00"
    assert result.grade is not None and result.grade.grade == "A"


def test_legacy_weight_with_all_ones_gives_24_75() -> None:
    result = ikm.compute([row(*[1] * 9)], weight_mode="0.11")

    assert str(result.ikm) == "24.75"
    assert result.grade is not None and result.grade.grade == "D"


def test_exact_weight_is_the_default_and_is_one_ninth() -> None:
    assert ikm.WEIGHTS[WeightMode.EXACT] == Fraction(1, 9)
    assert ikm.WEIGHTS[WeightMode.LEGACY] == Fraction(11, 100)
    assert ikm.compute([row(*[3] * 9)]).weight_mode is WeightMode.EXACT


def test_unknown_weight_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        ikm.compute([row(*[3] * 9)], weight_mode="0.111")


# Every grade boundary on both sides, through the computation: 5,000 respondents
# whose ratings sum to T per element give NRR = T/5000 and IKM = T/200 exactly.
@pytest.mark.parametrize(
    ("total", "ikm_value", "grade"),
    [
        (20000, "100.00", "A"),
        (17662, "88.31", "A"),
        (17661, "88.31", "A"),  # 88.305 exactly: rounds up into A (NI 3.5322, in the 1-4 gap)
        (17660, "88.30", "B"),
        (17659, "88.30", "B"),  # 88.295 rounds to 88.30, stays B
        (15322, "76.61", "B"),
        (15321, "76.61", "B"),  # 76.605
        (15320, "76.60", "C"),
        (15319, "76.60", "C"),  # 76.595
        (13000, "65.00", "C"),
        (12999, "65.00", "C"),  # 64.995
        (12998, "64.99", "D"),
        (12997, "64.99", "D"),  # 64.985
        (5000, "25.00", "D"),
    ],
)
def test_grade_boundaries_on_the_rounded_value(total: int, ikm_value: str, grade: str) -> None:
    result = ikm.compute_tally(uniform(total, 5000))

    assert str(result.ikm) == ikm_value
    assert result.grade is not None and result.grade.grade == grade
    # Each element is graded by the same rule on NRR x 25.
    assert {str(e.converted) for e in result.elements} == {ikm_value}
    assert {e.grade.grade for e in result.elements if e.grade} == {grade}


@pytest.mark.parametrize(
    ("value", "grade", "words"),
    [
        ("100.00", "A", "Sangat baik"),
        ("88.31", "A", "Sangat baik"),
        ("88.30", "B", "Baik"),
        ("76.61", "B", "Baik"),
        ("76.60", "C", "Kurang baik"),
        ("65.00", "C", "Kurang baik"),
        ("64.99", "D", "Tidak baik"),
        ("25.00", "D", "Tidak baik"),
    ],
)
def test_grade_of_each_side_of_each_boundary(value: str, grade: str, words: str) -> None:
    band = ikm.grade_of(Decimal(value))

    assert (band.grade, band.words_id) == (grade, words)


def test_rounding_is_half_up_once_at_the_end() -> None:
    # Eight respondents, seven 3s and one 4 per element: NRR 3.125, IKM 78.125 -> 78.13
    # (half-even would give 78.12).
    rows = [row(*[3] * 9)] * 7 + [row(*[4] * 9)]
    result = ikm.compute(rows)

    assert result.skm == Fraction(25, 8)
    assert str(result.ikm) == "78.13"
    assert {str(e.converted) for e in result.elements} == {"78.13"}


def test_nrr_is_not_rounded_before_summing() -> None:
    # Three respondents: NRR 10/3 on every element. Exact IKM 83.333.. -> 83.33;
    # with each NRR rounded to 3.33 first the sum would be 29.97 and the IKM 83.25.
    rows = [row(*[3] * 9), row(*[3] * 9), row(*[4] * 9)]

    assert str(ikm.compute(rows).ikm) == "83.33"


def test_a_blank_answer_is_left_out_of_that_element_only() -> None:
    rows = [row(4, 4, 4, 4, 4, 4, 4, 4, 4), row(None, 2, 2, 2, 2, 2, 2, 2, 2)]
    result = ikm.compute(rows)

    u1, u2 = result.elements[0], result.elements[1]
    assert (u1.respondents, u1.total, u1.nrr) == (1, 4, Fraction(4))
    assert (u2.respondents, u2.total, u2.nrr) == (2, 6, Fraction(3))
    # (4 + 8 x 3) / 9 x 25 = 77.777.. -> 77.78
    assert str(result.ikm) == "77.78"
    assert result.respondents == 2


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_blank_cells_and_missing_keys_count_as_unanswered(blank: Any) -> None:
    rows: list[dict[str, Any]] = [{"U1": blank, **dict.fromkeys(ALL[1:], 3)}, {"U1": 4}]
    result = ikm.compute(rows)

    assert result.elements[0].respondents == 1
    assert result.elements[1].respondents == 1


def test_an_element_nobody_answered_leaves_the_index_undefined() -> None:
    result = ikm.compute([row(4, 4, 4, 4, 4, 4, 4, 4, None)])

    assert result.elements[8].nrr is None
    assert result.elements[8].grade is None
    assert result.ikm is None and result.grade is None and result.skm is None
    assert result.elements[0].converted == Decimal("100.00")


def test_no_responses_give_no_index() -> None:
    result = ikm.compute([])

    assert result.respondents == 0
    assert result.ikm is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), (4, 4), ("3", 3), (" 2 ", 2), (3.0, 3), (None, None), ("", None)],
)
def test_accepted_ratings(value: Any, expected: int | None) -> None:
    assert ikm.check_rating("U5", value) == expected


@pytest.mark.parametrize("value", [0, 5, -1, 2.5, "2.5", "x", "٣", True, False, [3], 3.5])
def test_a_rating_outside_1_to_4_or_not_an_integer_is_refused_naming_the_element(
    value: Any,
) -> None:
    with pytest.raises(RatingError) as raised:
        ikm.compute([row(3, 3, 3, 3, 3, 3, 3, 3, 3), {**row(*[3] * 9), "U7": value}])

    assert raised.value.element == "U7"
    assert str(raised.value).startswith("U7: ")


# Krejcie & Morgan (1970), Table 1, as printed (the rows the spec checked).
KREJCIE_MORGAN = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48,
    60: 52, 65: 56, 70: 59, 75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86,
    120: 92, 130: 97, 140: 103, 150: 108, 160: 113, 170: 118, 180: 123, 190: 127,
    200: 132, 210: 136, 220: 140, 230: 144, 240: 148, 250: 152, 260: 155, 270: 159,
    280: 162, 290: 165, 300: 169, 320: 175, 340: 181, 360: 186, 380: 191, 400: 196,
    420: 201, 440: 205, 460: 210, 480: 214, 500: 217, 550: 226, 600: 234, 650: 242,
    700: 248, 750: 254, 800: 260, 850: 265, 900: 269, 950: 274, 1000: 278, 1100: 285,
    1200: 291, 1300: 297, 1400: 302, 1500: 306, 1600: 310, 1700: 313, 1800: 317,
    1900: 320, 2000: 322, 2200: 327, 2400: 331, 2600: 335, 2800: 338, 3000: 341,
    3500: 346, 4000: 351, 4500: 354, 5000: 357, 6000: 361, 7000: 364, 8000: 367,
    9000: 368, 10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380, 50000: 381,
    75000: 382, 1000000: 384,
}  # fmt: skip


@pytest.mark.parametrize(("population", "sample"), sorted(KREJCIE_MORGAN.items()))
def test_sample_size_matches_the_krejcie_morgan_table(population: int, sample: int) -> None:
    assert ikm.sample_size(population) == sample


def test_sample_size_between_table_rows_uses_the_formula() -> None:
    # 3.841 x 12 x 0.25 / (0.0025 x 11 + 0.96025) = 11.667.. -> 12
    assert ikm.sample_size(12) == 12
    # 3.841 x 333 x 0.25 / (0.0025 x 332 + 0.96025) = 178.82.. -> 179
    assert ikm.sample_size(333) == 179


def test_sample_size_of_tiny_populations() -> None:
    assert ikm.sample_size(0) == 0
    assert ikm.sample_size(1) == 1
    assert ikm.sample_size(2) == 2


@pytest.mark.parametrize("population", [-1, 2.5, "100", True])
def test_sample_size_refuses_what_is_not_a_population(population: Any) -> None:
    with pytest.raises(ValueError):
        ikm.sample_size(population)


@given(st.integers(min_value=1, max_value=10**9))
def test_sample_never_exceeds_the_population_nor_384(population: int) -> None:
    sample = ikm.sample_size(population)

    assert 1 <= sample <= min(population, 384)


@given(st.integers(min_value=1, max_value=10**7))
def test_sample_grows_with_the_population(population: int) -> None:
    assert ikm.sample_size(population) <= ikm.sample_size(population + 1)


ratings = st.one_of(st.none(), st.integers(min_value=1, max_value=4))
responses = st.lists(st.lists(ratings, min_size=9, max_size=9).map(lambda r: row(*r)), max_size=40)


@given(responses)
def test_index_is_between_25_and_100_and_equals_the_exact_formula(rows: list[dict]) -> None:
    result = ikm.compute(rows)

    columns = {c: [r[c] for r in rows if r[c] is not None] for c in ALL}
    if any(not values for values in columns.values()):
        assert result.ikm is None
        return
    exact = sum(Fraction(sum(v), len(v)) for v in columns.values()) * 25 / 9
    assert result.ikm is not None and result.grade is not None
    assert Decimal("25.00") <= result.ikm <= Decimal("100.00")
    assert abs(Fraction(result.ikm) - exact) <= Fraction(1, 200)
    assert result.grade == ikm.grade_of(result.ikm)


@given(responses, st.randoms())
def test_index_does_not_depend_on_the_order_of_respondents(rows: list[dict], rnd: Any) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)

    assert ikm.compute(shuffled) == ikm.compute(rows)


@given(st.integers(min_value=1, max_value=4), st.integers(min_value=1, max_value=30))
def test_everyone_giving_the_same_rating_scores_25_times_it(rating: int, count: int) -> None:
    result = ikm.compute([row(*[rating] * 9)] * count)

    assert result.ikm == Decimal(25 * rating).quantize(Decimal("0.01"))


@given(st.fractions(min_value=0, max_value=1000, max_denominator=10**6))
def test_round_half_up_matches_decimal_half_up_on_exact_values(value: Fraction) -> None:
    expected = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
    rounded = ikm.round_half_up(value)

    assert abs(Fraction(rounded) - value) <= Fraction(1, 200)
    if abs(Fraction(expected) - value) != Fraction(1, 200):
        assert rounded == expected
    else:
        assert Fraction(rounded) > value  # an exact half goes up


def test_rules_file_holds_the_unverified_values() -> None:
    rules = ikm.load_rules()

    assert [(b.grade, str(b.floor)) for b in rules.grades] == [
        ("A", "88.31"),
        ("B", "76.61"),
        ("C", "65.00"),
        ("D", "25.00"),
    ]
    assert rules.elements["U4"].labels_id == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")
    assert rules.chi_square == Fraction("3.841")


def test_display_order_is_configurable_and_does_not_change_the_index() -> None:
    data = yaml.safe_load(ikm.DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    data["display_order"] = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U9", "U8"]
    swapped = ikm.parse_rules(data)

    assert swapped.display_order[7:] == ("U9", "U8")
    assert ikm.compute(HAND_WORKED, rules=swapped) == ikm.compute(HAND_WORKED)


def test_rules_file_missing_an_element_in_the_display_order_is_refused() -> None:
    data = yaml.safe_load(ikm.DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    data["display_order"] = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U8"]

    with pytest.raises(ValueError, match="display_order"):
        ikm.parse_rules(data)
