"""The demo agency and a month of cases driven through the real case engine."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.cases import services as cases
from loket.cases.intake import Applicant
from loket.cases.models import Case, Task, TaskStatus
from tests.cases.conftest import NIK, fast_passwords, iu_data, officer  # noqa: F401
from tests.documents.samples import pdf_bytes, png_bytes
from tests.workspace.conftest import signed_in  # noqa: F401  (officers signed in with 2FA)

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
    cases.issue(case_id=on_time.pk, now=at(8))  # the worker's part, on the test's clock

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
