"""Numbers as people in Indonesia type them (loket.catalog.fields.numbers): the edges.

Every accepted form, every refused one, and the boundary between them, in both
languages: this is a rule module (mutation-tested from outside).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.catalog.fields.numbers import (
    LIMIT,
    NumberFormatError,
    format_number,
    format_rupiah,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25.000.000", Decimal(25_000_000)),
        ("25000000", Decimal(25_000_000)),
        ("25 juta", Decimal(25_000_000)),
        ("25juta", Decimal(25_000_000)),
        ("25 Juta", Decimal(25_000_000)),
        ("25 jt", Decimal(25_000_000)),
        ("25 jt.", Decimal(25_000_000)),
        ("1,5 juta", Decimal(1_500_000)),
        ("2 miliar", Decimal(2_000_000_000)),
        ("2 milyar", Decimal(2_000_000_000)),
        ("1 triliun", Decimal(10**12)),
        ("500 ribu", Decimal(500_000)),
        ("500 rb", Decimal(500_000)),
        ("1.000", Decimal(1000)),
        ("999", Decimal(999)),
        ("0", Decimal(0)),
        ("2,5", Decimal("2.5")),
        ("0,75", Decimal("0.75")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("-1.000", Decimal(-1000)),
        ("-2,5", Decimal("-2.5")),
        ("+7", Decimal(7)),
        ("  25.000.000  ", Decimal(25_000_000)),
        ("25 000 000", Decimal(25_000_000)),
        ("25\u00a0000\u00a0000", Decimal(25_000_000)),
        # Two marks of one kind cannot both be decimal marks: grouping in any language.
        ("25,000,000", Decimal(25_000_000)),
    ],
)
def test_indonesian_reader_gets_the_number_meant(text: str, expected: Decimal) -> None:
    assert parse_number(text, language="id") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25,000,000", Decimal(25_000_000)),
        ("25.000.000", Decimal(25_000_000)),
        ("25,000.50", Decimal("25000.50")),
        ("2.5", Decimal("2.5")),
        ("25.00", Decimal(25)),
        ("1,000", Decimal(1000)),
        ("25 million", Decimal(25_000_000)),
        ("25 juta", Decimal(25_000_000)),
    ],
)
def test_english_reader_gets_the_number_meant(text: str, expected: Decimal) -> None:
    assert parse_number(text, language="en") == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("25.00", "ambiguous_separator"),  # 25, or a badly grouped 2.500?
        ("2.5", "ambiguous_separator"),
        ("25,000.50", "mixed_separators"),
        ("1.234,567.8", "mixed_separators"),
        ("25.0000", "ambiguous_separator"),
        ("2.50.000", "bad_grouping"),
        ("1,2,3", "bad_grouping"),
        ("2 M", "ambiguous_scale"),  # miliar to one reader, million to another
        ("2M", "ambiguous_scale"),
        ("3 T", "ambiguous_scale"),
        ("5k", "ambiguous_scale"),
        ("2 bn", "ambiguous_scale"),
        ("25 jutaan", "not_a_number"),
        ("", "not_a_number"),
        ("   ", "not_a_number"),
        ("abc", "not_a_number"),
        ("1e5", "not_a_number"),
        ("25-000", "not_a_number"),
        ("--5", "not_a_number"),
        ("12 34", "not_a_number"),  # a space only groups thousands
        (".5", "bad_grouping"),
        ("5.", "not_a_number"),
        ("\u0663", "not_a_number"),  # Arabic-Indic three: digits are 0-9 only
        ("NaN", "not_a_number"),
        ("Infinity", "not_a_number"),
    ],
)
def test_indonesian_reader_ambiguous_or_broken_input_is_refused(text: str, code: str) -> None:
    with pytest.raises(NumberFormatError) as caught:
        parse_number(text, language="id")
    assert caught.value.code == code
    assert caught.value.message


@pytest.mark.parametrize("text", ["2,5", "25.000", "1.234.567,89", "rp. 25.000"])
def test_english_reader_refuses_what_only_reads_one_way_in_indonesian(text: str) -> None:
    with pytest.raises(NumberFormatError):
        parse_number(text, language="en", currency=True)


@pytest.mark.parametrize(
    "text", ["Rp25.000.000", "Rp 25.000.000", "rp.25.000.000", "Rp. 25 juta", "IDR 25.000.000"]
)
def test_amount_may_start_with_the_currency(text: str) -> None:
    assert parse_number(text, language="id", currency=True) == Decimal(25_000_000)


def test_currency_prefix_only_where_an_amount_is_asked() -> None:
    with pytest.raises(NumberFormatError):
        parse_number("Rp25.000", language="id")


def test_amount_with_three_decimals_is_taken_for_a_misplaced_grouping() -> None:
    # "25,000" as rupiah: 25 rupiah (and no sen), or twenty-five thousand typed the English way?
    with pytest.raises(NumberFormatError) as caught:
        parse_number("25,000", language="id", currency=True)
    assert caught.value.code == "ambiguous_separator"
    # As a plain decimal (a length in metres) it is 25 with three decimals.
    assert parse_number("25,000", language="id") == Decimal(25)
    assert parse_number("2,50", language="id", currency=True) == Decimal("2.5")


def test_numbers_just_under_the_limit_pass_and_at_it_are_refused() -> None:
    assert parse_number("999.999.999.999.999", language="id") == LIMIT - 1
    with pytest.raises(NumberFormatError) as caught:
        parse_number("1.000.000.000.000.000", language="id")
    assert caught.value.code == "too_large"
    with pytest.raises(NumberFormatError):
        parse_number("1000 triliun", language="id")


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (25_000_000, "id", "25.000.000"),
        (25_000_000, "en", "25,000,000"),
        (Decimal("2.50"), "id", "2,5"),
        (2.5, "en", "2.5"),
        (Decimal("25000000.0"), "id", "25.000.000"),
        (Decimal("2.5E+7"), "id", "25.000.000"),
        (1234.5, "id", "1.234,5"),
        (-1000, "id", "-1.000"),
        (0, "id", "0"),
        (999, "id", "999"),
        (1000, "id", "1.000"),
    ],
)
def test_numbers_are_written_with_the_readers_separators(
    value: Decimal | int | float, language: str, text: str
) -> None:
    assert format_number(value, language=language) == text


def test_rupiah_are_written_as_people_read_them() -> None:
    assert format_rupiah(25_000_000) == "Rp25.000.000"
    assert format_rupiah(0) == "Rp0"
    assert format_rupiah(1_500_000, language="en") == "Rp1,500,000"


@given(
    st.decimals(min_value=-(10**14), max_value=10**14, places=2, allow_nan=False),
    st.sampled_from(["id", "en"]),
)
def test_what_is_written_reads_back_as_the_same_number(value: Decimal, language: str) -> None:
    text = format_number(value, language=language)
    # A written amount of a whole number of thousands is not ambiguous to its own reader.
    assert parse_number(text, language=language) == value
