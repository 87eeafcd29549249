"""Moments in API responses: in the active zone, written exactly as Django's encoder does."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from loket.api.responses import LocalTimeEncoder

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
ZONES = st.sampled_from([dt.UTC, JAKARTA, zoneinfo.ZoneInfo("Asia/Jayapura")])
MOMENTS = st.datetimes(
    min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=ZONES
)


@given(moment=MOMENTS, active=ZONES)
def test_a_moment_is_written_as_djangos_encoder_writes_it_in_the_active_zone(
    moment: dt.datetime, active: dt.tzinfo
) -> None:
    with timezone.override(active):
        written = json.dumps({"at": moment}, cls=LocalTimeEncoder)
        expected = json.dumps({"at": timezone.localtime(moment)}, cls=DjangoJSONEncoder)
    assert written == expected


def test_a_utc_moment_in_a_utc_zone_ends_in_z_and_keeps_milliseconds() -> None:
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=dt.UTC)
    with timezone.override(dt.UTC):
        assert json.dumps(moment, cls=LocalTimeEncoder) == '"2026-03-04T05:06:07.891Z"'
    with timezone.override(JAKARTA):
        assert json.dumps(moment, cls=LocalTimeEncoder) == '"2026-03-04T12:06:07.891+07:00"'


def test_naive_moments_and_dates_are_written_as_before() -> None:
    naive = dt.datetime(2026, 3, 4, 5, 6, 7)
    day = dt.date(2026, 3, 4)
    assert json.dumps([naive, day], cls=LocalTimeEncoder) == json.dumps(
        [naive, day], cls=DjangoJSONEncoder
    )
