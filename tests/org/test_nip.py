from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from hypothesis import given
from hypothesis import strategies as st

from loket.core.errors import ValidationError
from loket.org.validators import validate_nip
from tests.org.factories import OfficerFactory, build_nip

TODAY = dt.date(2026, 11, 23)


@st.composite
def nip_parts(draw: st.DrawFn) -> dict:
    birth = draw(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2008, 11, 1)))
    earliest = (birth.year + 18) * 12 + birth.month - 1
    latest = TODAY.year * 12 + TODAY.month - 1
    appointed = draw(st.integers(min_value=earliest, max_value=latest))
    return {
        "birth_date": birth,
        "appointed_year": appointed // 12,
        "appointed_month": appointed % 12 + 1,
        "sex": draw(st.sampled_from([1, 2])),
        "serial": draw(st.integers(min_value=1, max_value=999)),
    }


@given(nip_parts())
def test_valid_nip_gives_back_its_parts(parts: dict) -> None:
    info = validate_nip(build_nip(**parts), today=TODAY)

    assert info.birth_date == parts["birth_date"]
    assert info.appointed_from == dt.date(parts["appointed_year"], parts["appointed_month"], 1)
    assert info.sex == ("male" if parts["sex"] == 1 else "female")
    assert info.serial == parts["serial"]


@given(st.text(max_size=30))
def test_any_text_is_either_a_nip_or_a_nip_validation_error(text: str) -> None:
    try:
        info = validate_nip(text, today=TODAY)
    except ValidationError as error:
        assert error.field == "nip"
        assert error.message
    else:
        assert info.nip == text and len(text) == 18


@given(nip_parts(), st.sampled_from([0, 3, 4, 9]))
def test_sex_digit_other_than_1_or_2_is_named_in_the_error(parts: dict, digit: int) -> None:
    nip = build_nip(**parts)
    nip = nip[:14] + str(digit) + nip[15:]

    with pytest.raises(ValidationError, match="Digit 15") as caught:
        validate_nip(nip, today=TODAY)
    assert caught.value.code == "nip_sex"


@given(nip_parts())
def test_serial_000_is_rejected(parts: dict) -> None:
    nip = build_nip(**parts)[:15] + "000"

    with pytest.raises(ValidationError, match="serial") as caught:
        validate_nip(nip, today=TODAY)
    assert caught.value.field == "nip"


@pytest.mark.parametrize(
    "birth",
    ["19850230", "19851301", "19850000", "00000101", "19850431"],
)
def test_birth_date_that_is_not_a_real_date_is_rejected(birth: str) -> None:
    with pytest.raises(ValidationError, match="date of birth") as caught:
        validate_nip(f"{birth}2010011001", today=TODAY)
    assert caught.value.code == "nip_birth_date"


def test_leap_day_birth_date_is_accepted() -> None:
    assert validate_nip("198402292006011001", today=TODAY).birth_date == dt.date(1984, 2, 29)


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_appointment_month_that_does_not_exist_is_rejected(month: str) -> None:
    with pytest.raises(ValidationError, match="appointment month") as caught:
        validate_nip(f"198503122010{month}1001", today=TODAY)
    assert caught.value.code == "nip_appointment_month"


def test_appointment_before_the_officer_turned_18_is_rejected() -> None:
    with pytest.raises(ValidationError, match="before the officer turned 18"):
        validate_nip("198505202003041001", today=TODAY)


def test_appointment_in_the_month_the_officer_turns_18_is_accepted() -> None:
    info = validate_nip("198505202003051001", today=TODAY)

    assert info.appointed_from == dt.date(2003, 5, 1)


def test_appointment_month_in_the_future_is_rejected() -> None:
    with pytest.raises(ValidationError, match="future"):
        validate_nip("198505202026121001", today=TODAY)


def test_appointment_in_the_current_month_is_accepted() -> None:
    assert validate_nip("198505202026111001", today=TODAY).appointed_from == dt.date(2026, 11, 1)


@pytest.mark.parametrize(
    "text",
    ["19850312201001100", "1985031220100110011", "19850312 201001 1 001", "1985031220100110O1", ""],
)
def test_nip_that_is_not_18_digits_is_rejected(text: str) -> None:
    with pytest.raises(ValidationError, match="exactly 18 digits"):
        validate_nip(text, today=TODAY)


def test_nip_with_non_ascii_digits_is_rejected() -> None:
    with pytest.raises(ValidationError, match="exactly 18 digits"):
        validate_nip("١٩٨٥٠٣١٢٢٠١٠٠١١٠٠١", today=TODAY)


@pytest.mark.django_db
def test_officer_model_validation_reports_the_wrong_nip_part_on_the_nip_field() -> None:
    officer = OfficerFactory.build(nip="198503122010013001")

    with pytest.raises(DjangoValidationError) as caught:
        officer.full_clean(exclude=["user", "agency"])

    assert "Digit 15" in caught.value.message_dict["nip"][0]


@pytest.mark.django_db
def test_officer_with_valid_nip_passes_model_validation() -> None:
    officer = OfficerFactory()

    officer.full_clean()
