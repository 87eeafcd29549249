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
