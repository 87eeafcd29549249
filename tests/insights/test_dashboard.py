"""The head of a unit's performance dashboard in the workspace."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from loket.cases.models import Case
from loket.insights import services
from loket.insights.models import Target
from loket.org.models import Unit
from tests.insights.conftest import apply, at, decide

pytestmark = pytest.mark.django_db
URL = "/workspace/kinerja/"


@pytest.fixture
def refreshed(july_cases: tuple[Case, Case]) -> Unit:
    services.refresh_recent(now=at(31, 20))
    unit = Unit.objects.get(code="dpmptsp")
    Target.objects.create(
        unit=unit, indicator="sla", year=2026, value=Decimal(80), polarity="higher"
    )
    return unit


def test_head_sees_tiles_against_target_and_the_service_table(refreshed, signed_in) -> None:
    page = signed_in("bambang").get(URL, {"bulan": "2026-07", "unit": refreshed.pk})
    assert page.status_code == 200
    board = page.context["board"]
    sla = next(t for t in board.tiles if t.indicator == "sla")
    assert (sla.this_month, sla.target.value) == (50.0, Decimal(80))
    assert sla.achievement == Decimal("62.5")
    assert sla.meets_target is False
    decided = next(t for t in board.tiles if t.indicator == "decided")
    assert (decided.this_month, decided.last_month) == (2.0, 0.0)
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert 'data-testid="trend-table"' in html  # the table beside the charts
    decided_per_service = {item["row"].service.code: item["row"].decided for item in board.services}
    assert decided_per_service["izin-usaha-mikro"] == 2
    assert decided_per_service["izin-reklame"] == 0


def test_bottlenecks_count_returns_with_their_reasons(refreshed, signed_in) -> None:
    page = signed_in("bambang").get(URL, {"bulan": "2026-07", "unit": refreshed.pk})
    rows = {row["step"]: row for row in page.context["board"].bottlenecks}
    assert rows["kajian-teknis"]["returns"] == 1
    assert rows["kajian-teknis"]["top_reasons"] == [("Foto lokasi buram.", 1)]
    assert rows["verifikasi-berkas"]["decided"] == 3


def test_open_case_past_its_deadline_is_listed_as_fiktif_positif(refreshed, signed_in) -> None:
    waiting = apply(at(20, 9))
    decide(waiting, "verifikasi-berkas", "andi", "approve", at(20))
    page = signed_in("bambang").get(URL, {"bulan": "2026-07", "unit": refreshed.pk})
    exposed = [c.tracking_number for c in page.context["board"].exposed]
    assert exposed == [waiting.tracking_number]
    queue = page.context["board"].queue
    assert [(row["code"], row["open"], row["overdue"]) for row in queue] == [
        ("analis-perizinan", 1, 1)
    ]


def test_an_officer_who_heads_no_unit_is_refused(refreshed, signed_in) -> None:
    assert signed_in("siti").get(URL).status_code == 403


def test_a_head_may_not_open_a_unit_outside_their_reach(refreshed, signed_in) -> None:
    page = signed_in("dewi").get(URL, {"unit": refreshed.pk})
    assert page.status_code == 403


def test_a_malformed_month_is_a_400_naming_the_field(refreshed, signed_in) -> None:
    page = signed_in("bambang").get(URL, {"bulan": "juli"})
    assert page.status_code == 400
    assert b"bulan" in page.content


def test_signed_out_visitor_goes_to_sign_in(client) -> None:
    assert client.get(URL).status_code == 302


def test_the_page_runs_a_fixed_number_of_queries(
    refreshed,
    signed_in,
    django_assert_max_num_queries,
) -> None:
    client = signed_in("bambang")
    client.get(URL, {"bulan": "2026-07"})
    for day in (21, 22):
        extra = apply(at(day, 9))
        decide(extra, "verifikasi-berkas", "andi", "approve", at(day))
    with django_assert_max_num_queries(30):
        client.get(URL, {"bulan": "2026-07"})


def test_a_decision_at_night_shows_as_an_anomaly_flag(refreshed, signed_in) -> None:
    night = apply(at(21, 9))
    decide(night, "verifikasi-berkas", "andi", "approve", at(21, 22))
    services.refresh_recent(now=at(31, 20))  # the worker keeps the flags (ADR 0024)
    page = signed_in("bambang").get(URL, {"bulan": "2026-07", "unit": refreshed.pk})
    flags = page.context["board"].flags
    assert [f.tracking_number for f in flags if f.rule == "outside_office_hours"] == [
        night.tracking_number
    ]
    # The same NIK applied three times within 30 days: the repeat rule fires as well.
    repeated = {f.tracking_number for f in flags if f.rule == "repeated_applications"}
    assert night.tracking_number in repeated and len(repeated) == 3
    assert 'data-testid="anomalies"' in page.content.decode()


def _count_queries(client: Any, path: str, params: dict[str, str]) -> int:
    """Statements one request runs (a wrapper: the client's request signal resets the log)."""
    seen: list[str] = []

    def count(execute: Any, sql: str, values: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, values, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path, params)
    assert response.status_code == 200
    return len(seen)


def test_both_pages_run_the_same_queries_whatever_the_number_of_cases(refreshed, signed_in) -> None:
    """Issue 15: a constant query count (the bench takes it from 10 k to 1 M cases)."""
    head, public, params = signed_in("bambang"), Client(), {"bulan": "2026-07"}
    public_url = "/kinerja/kota-contoh/"
    head.get(URL, params), public.get(public_url, params)  # sessions and caches warm
    small = (_count_queries(head, URL, params), _count_queries(public, public_url, params))
    before = head.get(URL, params).context["board"]
    for day in (13, 14, 20, 21, 22, 23):
        extra = apply(at(day, 9))
        decide(extra, "verifikasi-berkas", "andi", "approve", at(day, 10))
        if day % 2:
            decide(extra, "kajian-teknis", "siti", "return", at(day, 11))
    night = apply(at(24, 9))
    decide(night, "verifikasi-berkas", "rina", "approve", at(24, 21))  # an anomaly flag more
    services.refresh_recent(now=at(31, 20))
    after = head.get(URL, params).context["board"]
    assert sum(r["decided"] for r in after.bottlenecks) > sum(
        r["decided"] for r in before.bottlenecks
    )
    assert len(after.flags) > len(before.flags)
    assert sum(q["open"] for q in after.queue) > sum(q["open"] for q in before.queue)
    large = (_count_queries(head, URL, params), _count_queries(public, public_url, params))
    assert large == small
