"""NIK structure: region, birth date (+40 for women), serial."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.core.errors import ValidationError
from loket.core.identity import validate_nik

TODAY = dt.date(2026, 3, 2)


def test_woman_born_in_1990_is_read_from_day_plus_forty():
    info = validate_nik("3273055504900003", today=TODAY)
    assert (info.sex, info.birth_date, info.region, info.serial) == (
        "F",
        dt.date(1990, 4, 15),
        "327305",
        "0003",
    )


def test_man_born_in_2001_gets_this_century():
    info = validate_nik("3171011203010001", today=TODAY)
    assert (info.sex, info.birth_date) == ("M", dt.date(2001, 3, 12))


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("327305550490000", "nik_format"),  # 15 digits
        ("32730555049000a3", "nik_format"),
        ("9973055504900003", "nik_region"),  # no province 99
        ("3200055504900003", "nik_region"),
        ("9701010101900001", "nik_region"),  # no province 97: Papua is 91-96
        ("3273995504900003", "nik_region"),  # Kota Bandung has no district 99
        ("3273050113900001", "nik_birth_date"),  # month 13
        ("3273054113900001", "nik_birth_date"),  # month 13 for a woman
        ("3273057212900001", "nik_birth_date"),  # woman's day 72 = 32
        ("3273050012900001", "nik_birth_date"),  # day 00
        ("3273054012900001", "nik_birth_date"),  # day 40: no man's day 40, no woman's day 0
        ("3273053204900003", "nik_birth_date"),  # day 32
        ("3273057304900003", "nik_birth_date"),  # 73 - 40 = day 33
        ("3273053002900003", "nik_birth_date"),  # 30 February
        ("3273055504900000", "nik_serial"),
    ],
)
def test_malformed_nik_is_refused_with_a_reason(nik, code):
    with pytest.raises(ValidationError) as refused:
        validate_nik(nik, today=TODAY)
    assert refused.value.field == "nik"
    assert refused.value.code == code


@given(st.text(max_size=40))
def test_any_text_gives_nik_info_or_a_validation_error(text):
    try:
        info = validate_nik(text, today=TODAY)
    except ValidationError as exc:
        assert exc.field == "nik"
    else:
        assert info.birth_date <= TODAY
        assert len(info.nik) == 16


@pytest.mark.parametrize(
    ("nik", "sex", "birth_date"),
    [
        ("3273054112900001", "F", dt.date(1990, 12, 1)),  # day 41 = a woman born on the 1st
        ("3273057112900001", "F", dt.date(1990, 12, 31)),
        ("3273053112900001", "M", dt.date(1990, 12, 31)),
        ("3273050101900001", "M", dt.date(1990, 1, 1)),
    ],
)
def test_edges_of_the_birth_date_are_read_exactly(nik, sex, birth_date):
    info = validate_nik(nik, today=TODAY)
    assert (info.sex, info.birth_date) == (sex, birth_date)


@pytest.mark.parametrize("region", ["910101", "920101", "930101", "940101", "950101", "960101"])
def test_every_papua_province_91_to_96_is_accepted(region):
    assert validate_nik(region + "0101900001", today=TODAY).province == region[:2]


def test_the_current_list_has_38_provinces_and_no_97():
    from loket.core.identity import province_codes

    assert len(province_codes()) == 38
    assert "97" not in province_codes()
    assert {"91", "92", "93", "94", "95", "96"} <= province_codes()


def test_a_district_moved_to_a_new_province_keeps_its_former_code_valid():
    # Jayawijaya was 91.02 before Papua Pegunungan (95) was created in 2022.
    assert validate_nik("9102010101900001", today=TODAY).region == "910201"


def test_unknown_district_error_names_the_code_and_the_field():
    with pytest.raises(ValidationError) as refused:
        validate_nik("3273995504900003", today=TODAY)
    assert "327399" in str(refused.value)
    assert refused.value.field == "nik"
