"""The worker's monthly rollup, from cases driven through the real case engine."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.cases import services as cases
from loket.cases.intake import Applicant
from loket.cases.models import Case, Task, TaskStatus
from loket.catalog.models import Service
from loket.insights import kpi, selectors, services
from loket.insights.models import MonthlyRollup
from tests.cases.conftest import NIK, iu_data, officer
from tests.documents.samples import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
JULY = dt.date(2026, 7, 1)


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, tzinfo=JAKARTA)


def apply(now: dt.datetime) -> Case:
    return cases.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data=iu_data(),
        documents={
            "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf"),
            "foto_lokasi": SimpleUploadedFile("lokasi.png", png_bytes(), content_type="image/png"),
        },
        now=now,
    ).case


def decide(case: Case, step: str, who: str, decision: str, now: dt.datetime) -> None:
    task = Task.objects.get(case=case, step_id=step, status=TaskStatus.OPEN)
    reason = "" if decision == "approve" else "Foto lokasi buram."
    cases.decide(task_id=task.pk, officer=officer(who), decision=decision, reason=reason, now=now)


@pytest.fixture
def july_cases(demo: object) -> tuple[Case, Case]:
    on_time = apply(at(6, 9))
    decide(on_time, "verifikasi-berkas", "andi", "approve", at(6))
    decide(on_time, "kajian-teknis", "siti", "approve", at(7))
    decide(on_time, "persetujuan", "dewi", "approve", at(8))

    late = apply(at(6, 9))
    decide(late, "verifikasi-berkas", "andi", "approve", at(6))
    decide(late, "kajian-teknis", "siti", "return", at(7))
    cases.resubmit(case_id=late.pk, data={"alamat_usaha": "Jl. Melati 7"}, now=at(9))
    decide(late, "verifikasi-berkas", "rina", "approve", at(9, 11))
    decide(late, "kajian-teknis", "siti", "approve", at(10))
    decide(late, "persetujuan", "dewi", "reject", at(15, 11))
    on_time.refresh_from_db()
    late.refresh_from_db()
    return on_time, late


def test_histories_agree_with_the_due_moment_the_case_shows(july_cases: tuple[Case, Case]) -> None:
    on_time, late = july_cases
    service = Service.objects.get(code="izin-usaha-mikro")
    built = {
        h.tracking_number: h
        for h in selectors.histories(service=service, period=selectors.month_period(JULY))
    }
    clock = kpi.AgencyClock(service.agency_id)
    for case in (on_time, late):
        assert kpi.due_at(built[case.tracking_number], clock) == case.due_at
    assert late.due_at == at(15)  # paused two working days: 13 July + 2


def test_refresh_writes_the_month_figures(july_cases: tuple[Case, Case]) -> None:
    service = Service.objects.get(code="izin-usaha-mikro")
    rollup = services.refresh_rollup(service=service, month=JULY)
    assert (rollup.submitted, rollup.approved, rollup.rejected, rollup.cancelled) == (2, 1, 1, 0)
    assert (rollup.sla_on_time, rollup.sla_total) == (1, 2)
    assert (rollup.first_time_right, rollup.returns_total) == (1, 1)
    # 2.0 and 7⅛ - 2 paused = 5.125 working days.
    assert rollup.median_days == pytest.approx(3.5625)
    assert rollup.p90_days == pytest.approx(5.125)
    assert rollup.decisions == 8  # three on the first case, five (one a return) on the second


def test_refresh_is_idempotent_and_updates_in_place(july_cases: tuple[Case, Case]) -> None:
    service = Service.objects.get(code="izin-usaha-mikro")
    services.refresh_rollup(service=service, month=JULY)
    services.refresh_rollup(service=service, month=JULY)
    assert MonthlyRollup.objects.filter(service=service, month=JULY).count() == 1


def test_refresh_recent_covers_this_and_last_month(july_cases: tuple[Case, Case]) -> None:
    refreshed = services.refresh_recent(now=at(31, 20) + dt.timedelta(days=5))
    service = Service.objects.get(code="izin-usaha-mikro")
    months = set(MonthlyRollup.objects.filter(service=service).values_list("month", flat=True))
    assert months == {JULY, dt.date(2026, 8, 1)}
    units = Service.objects.values("unit").distinct().count()
    assert refreshed == 2 * (Service.objects.count() + units)


def test_unit_figures_are_computed_over_its_cases_not_from_service_rows(
    july_cases: tuple[Case, Case],
) -> None:
    service = Service.objects.get(code="izin-usaha-mikro")
    unit_row = services.refresh_unit_rollup(unit=service.unit, month=JULY)
    assert unit_row.service is None
    assert (unit_row.decided, unit_row.sla_on_time, unit_row.sla_total) == (2, 1, 2)
    assert unit_row.median_days == pytest.approx(3.5625)
    assert unit_row.sla_percent == 50.0


def test_the_worker_refreshes_the_rollup_on_its_schedule() -> None:
    from loket.core.management.commands.worker import default_schedule

    assert "loket.insights.tasks:refresh_rollups" in {p.task_path for p in default_schedule()}
