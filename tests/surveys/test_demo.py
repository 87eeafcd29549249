"""The demo has a year of survey history: pages and charts are not empty on first start."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from loket.surveys import selectors
from loket.surveys.demo import load_survey_history
from loket.surveys.models import Response, Result, SurveyPeriod

pytestmark = pytest.mark.django_db


def test_a_year_of_responses_with_published_quarters(demo) -> None:
    now = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))

    added = load_survey_history(now=now)

    periods = list(SurveyPeriod.objects.order_by("starts_on"))
    assert [p.code for p in periods] == ["2025-t4", "2026-t1", "2026-t2", "2026-t3", "2026-t4"]
    assert periods[0].starts_on == dt.date(2025, 10, 1)
    assert periods[-1].ends_on == dt.date(2026, 12, 31)
    assert added == Response.objects.count() > 1000
    assert Result.objects.count() == 4
    assert all(p.closed_at is not None for p in periods[:4]) and periods[4].closed_at is None
    # Each published figure is the one recomputed from the stored responses.
    for result in Result.objects.all():
        assert selectors.report(result.period).result.ikm == result.ikm
    # The first quarter falls short of its sample (231 < s(820) = 262): the flag shows.
    assert not Result.objects.get(period=periods[0]).meets_sample
    page = Client().get("/ikm/kota-contoh/dpmptsp/").content.decode()
    assert 'data-testid="trend-chart"' in page


def test_loading_the_history_twice_adds_nothing(demo) -> None:
    load_survey_history()

    assert load_survey_history() == 0
