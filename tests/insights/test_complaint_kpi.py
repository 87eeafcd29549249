"""K10 and K11 on the dashboards: complaint handling from the rollup, IKM from results."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from loket.cases.models import Case
from loket.complaints import services as complaints
from loket.complaints.categories import load_dir
from loket.complaints.models import Complaint, Tier
from loket.insights import kpi, services
from loket.insights.kpi import ComplaintRecord, Period
from loket.insights.models import MonthlyRollup
from loket.org.models import Agency, Unit
from tests.cases.conftest import officer
from tests.insights.conftest import JAKARTA, JULY, at

pytestmark = pytest.mark.django_db
PERIOD = Period(dt.datetime(2026, 7, 1, tzinfo=JAKARTA), dt.datetime(2026, 8, 1, tzinfo=JAKARTA))


class EightHourClock:
    """Every hour is office time and a working day is eight of them: easy arithmetic."""

    day_length = dt.timedelta(hours=8)

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        return end - start

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        return start + duration


def record(
    received: dt.datetime,
    *,
    due: dt.datetime | None = None,
    answered: dt.datetime | None = None,
    on_time: bool | None = None,
) -> ComplaintRecord:
    return ComplaintRecord(received, due, answered, on_time)


# -- the rule -----------------------------------------------------------------------------


def test_only_complaints_received_in_the_period_count() -> None:
    first = dt.datetime(2026, 7, 1, tzinfo=JAKARTA)
    last = dt.datetime(2026, 8, 1, tzinfo=JAKARTA) - dt.timedelta(microseconds=1)
    outside = [first - dt.timedelta(microseconds=1), dt.datetime(2026, 8, 1, tzinfo=JAKARTA)]
    rows = [record(first), record(last), *(record(m) for m in outside)]
    assert kpi.complaint_handling(rows, PERIOD, EightHourClock()).received == 2


def test_on_time_share_is_resolved_on_time_over_those_to_be_resolved() -> None:
    day = at(6)
    rows = [
        record(day, due=at(10), answered=at(8), on_time=True),
        record(day, due=at(10), answered=at(13), on_time=False),
        record(day, due=at(10)),  # verified, not answered yet: still to be resolved
        record(day),  # rejected or unverified: not the agency's to resolve
    ]
    handling = kpi.complaint_handling(rows, PERIOD, EightHourClock())
    assert (handling.received, handling.to_resolve, handling.resolved_on_time) == (4, 3, 1)
    assert handling.on_time_percent == pytest.approx(100 / 3)


def test_nothing_to_resolve_has_no_percentage() -> None:
    handling = kpi.complaint_handling([record(at(6))], PERIOD, EightHourClock())
    assert handling.on_time_percent is None
    assert handling.median_days is None


def test_resolution_days_are_the_median_over_answered_complaints_in_working_days() -> None:
    received = at(6, 8)
    rows = [
        record(received, due=at(20), answered=received + dt.timedelta(hours=8), on_time=True),
        record(received, due=at(20), answered=received + dt.timedelta(hours=24), on_time=True),
        record(received, due=at(20)),
    ]
    # 1 and 3 working days: the even count takes the mean of the two middles.
    assert kpi.complaint_handling(rows, PERIOD, EightHourClock()).median_days == 2.0


def test_complaints_per_thousand_decided() -> None:
    assert kpi.per_thousand(3, 1500) == 2.0
    assert kpi.per_thousand(3, 0) is None


# -- through the engine --------------------------------------------------------------------


def file(day: int, **fields: Any) -> Complaint:
    filed = complaints.Filed(
        category_code="pelayanan-perizinan",
        description="Izin saya melewati batas waktu tanpa kabar.",
        attributes={"jenis_masalah": "terlambat"},
        name="Sri Wahyuni",
        email="sri@example.id",
        phone="081234567890",
        **fields,
    )
    agency = Agency.objects.get(code="kota-contoh")
    return complaints.file_complaint(agency_id=agency.pk, filed=filed, now=at(day, 9)).complaint


@pytest.fixture
def july_complaints(july_cases: tuple[Case, Case]) -> list[Complaint]:
    load_dir()
    about_service = {"subject": "service", "service_code": "izin-usaha-mikro"}
    on_time, late, rejected, waiting = (file(day, **about_service) for day in (1, 2, 3, 6))
    for each in (on_time, late):
        complaints.verify(complaint_id=each.pk, officer=officer("andi"), tier=Tier.LIGHT, now=at(7))
    complaints.answer(
        complaint_id=on_time.pk,
        officer=officer("dewi"),
        text="Izin telah terbit hari ini.",
        now=at(8),
    )
    complaints.answer(
        complaint_id=late.pk,
        officer=officer("dewi"),
        text="Izin telah terbit hari ini.",
        now=at(20),
    )
    complaints.reject(
        complaint_id=rejected.pk, officer=officer("andi"), reason="Bukan kewenangan.", now=at(7)
    )
    return [on_time, late, rejected, waiting]


def test_service_rollup_carries_k11(july_complaints: list[Complaint]) -> None:
    from loket.catalog.models import Service

    service = Service.objects.get(code="izin-usaha-mikro")
    rollup = services.refresh_rollup(service=service, month=JULY)
    assert (rollup.complaints_received, rollup.complaints_to_resolve) == (4, 2)
    assert rollup.complaints_on_time == 1
    assert rollup.complaints_on_time_percent == 50.0
    assert rollup.complaints_per_thousand == 2000.0  # four complaints on two decisions
    assert rollup.complaint_median_days is not None and rollup.complaint_median_days > 0


def test_unit_rollup_counts_complaints_handled_in_its_divisions(
    july_complaints: list[Complaint],
) -> None:
    unit = Unit.objects.get(code="dpmptsp")
    assert {c.unit.code for c in july_complaints} == {"bidang-perizinan"}
    rollup = services.refresh_unit_rollup(unit=unit, month=JULY)
    assert (rollup.complaints_received, rollup.complaints_on_time) == (4, 1)
    other = services.refresh_unit_rollup(
        unit=Unit.objects.get(code="bidang-tata-ruang"), month=JULY
    )
    assert other.complaints_received == 0


def test_dashboard_shows_k10_and_k11(july_complaints: list[Complaint], signed_in: Any) -> None:
    services.refresh_recent(now=at(31, 20))
    unit = Unit.objects.get(code="dpmptsp")
    page = signed_in("bambang").get("/workspace/kinerja/", {"bulan": "2026-07", "unit": unit.pk})
    assert page.status_code == 200
    board = page.context["board"]
    tiles = {t.indicator: t for t in board.tiles}
    assert tiles["complaints_on_time"].this_month == 50.0
    assert "ikm" in tiles  # no published survey yet: shown as none, never invented
    assert tiles["ikm"].this_month is None
    # Two verified complaints were answered; the waiting one is overdue for verification.
    assert board.complaints == {"open": 3, "overdue": 1}
    row = next(i for i in board.services if i["row"].service.code == "izin-usaha-mikro")
    assert row["complaints"].this_month == 50.0
    assert 'data-testid="complaints-open"' in page.content.decode()


def test_public_page_shows_complaint_handling_without_complaint_text(
    july_complaints: list[Complaint], client: Client
) -> None:
    services.refresh_recent(now=at(31, 20))
    page = client.get("/kinerja/kota-contoh/", {"bulan": "2026-07"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="public-complaints"' in html
    assert "Izin saya melewati batas waktu" not in html
    assert "Sri Wahyuni" not in html and "081234567890" not in html
    [unit] = page.context["complaint_units"]
    july = dict(unit["table"])[JULY]
    assert isinstance(july, MonthlyRollup)
    assert (july.complaints_received, july.complaints_on_time_percent) == (4, 50.0)
