"""NIB and KBLI 2020 fields: cleaning at the edges, display, the KBLI list and its search."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.catalog.definitions import ServiceDefinition
from loket.catalog.fields import DataField, FieldValueError, field_type
from loket.catalog.fields.business import KBLI_FILE, kbli_codes, search_kbli
from loket.catalog.loader import load
from loket.core.errors import ValidationError

from .conftest import demo_text


def _field(kind: str) -> DataField:
    return DataField(
        name=kind, kind=field_type(kind), label={"id": kind.upper(), "en": kind.upper()}
    )


NIB = _field("nib")
KBLI = _field("kbli")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("9120001234567", "9120001234567"),
        ("  9120001234567 ", "9120001234567"),
        ("9120 0012 34567", "9120001234567"),
        ("9120-0012-34567", "9120001234567"),
        (9120001234567, "9120001234567"),
    ],
)
def test_nib_takes_its_13_digits_however_they_are_grouped(typed: Any, stored: str) -> None:
    assert NIB.kind.clean(NIB, typed, language="id") == stored


@pytest.mark.parametrize(
    "typed",
    [
        "912000123456",  # 12 digits
        "91200012345678",  # 14
        "912000123456A",
        "9120001234567\u0661",  # an Arabic-Indic digit is not an ASCII digit
        "0000000000000",
        "",
        True,
        None,
        12.5,
        ["9120001234567"],
    ],
)
def test_nib_refuses_anything_but_13_digits_with_a_message_naming_the_field(typed: Any) -> None:
    with pytest.raises(FieldValueError) as refused:
        NIB.kind.clean(NIB, typed, language="en")
    assert refused.value.message.startswith("NIB must be the 13 digits")


@given(st.text(max_size=30))
def test_nib_never_stores_anything_but_13_ascii_digits(typed: str) -> None:
    try:
        stored = NIB.kind.clean(NIB, typed, language="id")
    except FieldValueError:
        return
    assert len(stored) == 13 and stored.isascii() and stored.isdigit()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("56102", "56102"),
        (" 56102 ", "56102"),
        ("56102 – Rumah/Warung Makan", "56102"),  # what the searchable list puts in the box
        ("56102 - Rumah/Warung Makan", "56102"),
        ("rumah/warung makan", "56102"),  # a title typed in full
        ("01111", "01111"),
        (1111, "01111"),  # a JSON number loses the leading zero
    ],
)
def test_kbli_takes_a_code_with_or_without_its_title(typed: Any, stored: str) -> None:
    assert KBLI.kind.clean(KBLI, typed, language="id") == stored


@pytest.mark.parametrize("typed", ["5610", "561020", "56l02", "warung", "", "56102abc", True, 3.5])
def test_kbli_refuses_what_is_not_a_five_digit_code(typed: Any) -> None:
    with pytest.raises(FieldValueError) as refused:
        KBLI.kind.clean(KBLI, typed, language="en")
    assert "five-digit KBLI 2020 code" in refused.value.message


def test_kbli_refuses_five_digits_that_are_not_a_kbli_2020_code() -> None:
    with pytest.raises(FieldValueError) as refused:
        KBLI.kind.clean(KBLI, "99999", language="id")
    assert refused.value.code == "unknown_kbli"
    assert "99999" in refused.value.message


def test_kbli_reads_with_its_title_everywhere_it_is_shown() -> None:
    assert KBLI.display("56102", "id") == "56102 – Rumah/Warung Makan"
    assert KBLI.kind.form_text("56102", language="en") == "56102 – Rumah/Warung Makan"
    # What the form shows back is taken again as the same code.
    assert (
        KBLI.kind.clean(KBLI, KBLI.kind.form_text("56102", language="id"), language="id") == "56102"
    )


def test_the_kbli_list_is_the_full_2020_list_and_names_its_source() -> None:
    document = json.loads(KBLI_FILE.read_text(encoding="utf-8"))
    codes = kbli_codes()
    assert document["count"] == len(codes) == 1789
    assert all(len(code) == 5 and code.isdigit() for code in codes)
    assert all(title and title == title.strip() and "Â" not in title for title in codes.values())
    assert "BPS" in document["publisher"] and document["retrieved_on"] == "2025-10-13"
    assert codes["62019"] == "Aktivitas Pemrograman Komputer Lainnya"
    assert codes["99000"].startswith("Aktivitas Badan Internasional")


def test_kbli_search_finds_by_code_prefix_and_by_words_of_the_title() -> None:
    by_code = search_kbli("5610")
    assert [code for code, _title in by_code] == ["56101", "56102", "56103", "56104", "56109"]
    by_words = search_kbli("WARUNG makan")
    assert ("56102", "Rumah/Warung Makan") in by_words
    assert search_kbli("   ") == []
    assert len(search_kbli("perdagangan")) == 20  # capped
    assert search_kbli("zzzz tidak ada") == []


def test_the_business_licence_service_asks_nib_and_kbli_and_the_engine_cleans_them() -> None:
    definition = ServiceDefinition(load(demo_text("izin-usaha-mikro")))
    nib, kbli = definition.field("nib"), definition.field("kbli")
    assert nib is not None and nib.type == "nib"
    assert kbli is not None and kbli.type == "kbli"
    assert kbli.clean("56102 – Rumah/Warung Makan", language="id") == "56102"
    with pytest.raises(ValidationError) as refused:
        nib.clean("12345", language="id")
    assert refused.value.field == "data.nib"
    assert "13 angka" in refused.value.message or "13 digits" in refused.value.message
