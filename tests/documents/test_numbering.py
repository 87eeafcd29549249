"""Document numbers follow the definition's pattern and are gap-free per agency and year."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from loket.core.errors import ValidationError
from loket.documents.models import DocumentSequence
from loket.documents.numbering import format_number, next_number, validate_pattern

JAKARTA = ZoneInfo("Asia/Jakarta")
AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=JAKARTA)
PATTERN = "503/{seq}/DPMPTSP/{year}"


def test_the_pattern_is_filled_with_padded_sequence_and_year():
    assert format_number(PATTERN, seq=7, at=AT) == "503/0007/DPMPTSP/2026"


def test_month_roman_unit_and_custom_padding_are_supported():
    number = format_number("{unit}/{seq:6}/{month_roman}/{month}/{year}", seq=42, at=AT,
                           unit="dpmptsp")  # fmt: skip
    assert number == "dpmptsp/000042/XI/11/2026"


def test_the_year_is_taken_in_local_time():
    new_year_in_jakarta = dt.datetime(2026, 12, 31, 18, 0, tzinfo=dt.UTC)  # 01:00 WIB, 1 Jan
    assert format_number("{seq}/{year}", seq=1, at=new_year_in_jakarta) == "0001/2027"


@pytest.mark.parametrize("pattern", ["503/{year}", "{seq}/{seq}", "{seq}/{nama}", "{seq}/{year"])
def test_unusable_patterns_are_refused(pattern):
    with pytest.raises(ValidationError) as refused:
        validate_pattern(pattern)
    assert refused.value.field == "number_pattern"


@pytest.mark.django_db
def test_numbers_count_up_per_agency_and_restart_each_year(org):
    from tests.org.factories import AgencyFactory

    agency, other = org["agency"], AgencyFactory()
    with transaction.atomic():
        first = next_number(agency, PATTERN, AT)
        second = next_number(agency, PATTERN, AT)
        elsewhere = next_number(other, PATTERN, AT)
        next_year = next_number(agency, PATTERN, AT.replace(year=2027))
    assert (first, second) == ("503/0001/DPMPTSP/2026", "503/0002/DPMPTSP/2026")
    assert elsewhere == "503/0001/DPMPTSP/2026"
    assert next_year == "503/0001/DPMPTSP/2027"


@pytest.mark.django_db
def test_a_rolled_back_issue_gives_its_number_back(org):
    agency = org["agency"]

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        assert next_number(agency, PATTERN, AT) == "503/0001/DPMPTSP/2026"
        raise Abandon
    with transaction.atomic():
        assert next_number(agency, PATTERN, AT) == "503/0001/DPMPTSP/2026"


@pytest.mark.django_db(transaction=True)
def test_drawing_a_number_outside_a_transaction_is_refused():
    from tests.org.factories import AgencyFactory

    with pytest.raises(RuntimeError, match="inside a transaction"):
        next_number(AgencyFactory(), PATTERN, AT)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_never_share_or_skip_a_number():
    from tests.org.factories import AgencyFactory

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database locks whole tables across threads")
    agency = AgencyFactory()
    drawn: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def issuer() -> None:
        try:
            for _ in range(5):
                with transaction.atomic():
                    number = next_number(agency, "{seq}", AT)
                with lock:
                    drawn.append(int(number))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issuer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(drawn) == list(range(1, 21))
    assert DocumentSequence.objects.get(agency=agency, year=2026).last == 20
