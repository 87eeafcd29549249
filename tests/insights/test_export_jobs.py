"""Long downloads prepared by the worker: who may ask, who may fetch, progress, the file."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from loket.cases.models import Case, CaseEvent
from loket.documents import signing
from loket.insights import jobs
from loket.insights.models import ExportJob, ExportStatus
from loket.org.models import Unit
from tests.cases.conftest import officer

pytestmark = pytest.mark.django_db
ASK = "/workspace/kinerja/ekspor/"


def ask(client: Any, **fields: object) -> Any:
    return client.post(ASK, {k: str(v) for k, v in fields.items()})


def test_the_event_log_is_prepared_by_the_worker_with_its_progress(
    july_cases: tuple[Case, Case], signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    head = signed_in("bambang")
    unit = Unit.objects.get(code="dpmptsp")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(head, kind="xes", unit=unit.pk, bulan="2026-07")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{ASK}{job.pk}/"
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).exists()  # queued
    # Before the worker: the page says so and the file link leads back to it.
    page = head.get(f"{ASK}{job.pk}/")
    assert page.status_code == 200 and 'data-status="queued"' in page.content.decode()
    assert head.get(f"{ASK}{job.pk}/unduh")["Location"] == f"{ASK}{job.pk}/"
    assert head.get(f"{ASK}{job.pk}/status.json").json()["download"] is None

    assert jobs.run_export(job.pk) == ExportStatus.DONE
    state = head.get(f"{ASK}{job.pk}/status.json").json()
    events = CaseEvent.objects.filter(case__in=july_cases).count()
    assert (state["status"], state["percent"], state["done"], state["total"]) == (
        "done", 100, events, events,
    )  # fmt: skip
    download = head.get(state["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    body = b"".join(download.streaming_content).decode()
    assert body.startswith("<?xml") and body.count("<event>") == events
    # Delivered twice, the task does the work once.
    assert jobs.run_export(job.pk) == ExportStatus.DONE


def test_only_the_officer_who_asked_sees_the_job_or_its_file(
    july_cases: tuple[Case, Case], signed_in: Any
) -> None:
    unit = Unit.objects.get(code="dpmptsp")
    ask(signed_in("bambang"), kind="tables", unit=unit.pk, bulan="2026-07")
    job = ExportJob.objects.get()
    jobs.run_export(job.pk)
    other = signed_in("dewi")
    for suffix in ("", "status.json", "unduh"):
        assert other.get(f"{ASK}{job.pk}/{suffix}").status_code == 404
    assert signed_in("bambang").get(f"{ASK}{job.pk}/unduh").status_code == 200


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"kind": "csv", "unit": "1"}, 400),
        ({"kind": "xes", "unit": "x"}, 400),
        ({"kind": "xes", "unit": "1", "bulan": "Juli"}, 400),
        ({"kind": "skp_pdf", "officer": "x"}, 400),
    ],
)
def test_bad_requests_are_refused_naming_the_field(
    july_cases: tuple[Case, Case], signed_in: Any, fields: dict[str, str], status: int
) -> None:
    response = ask(signed_in("bambang"), **fields)
    assert response.status_code == status
    assert response.content.decode().split(":")[0] in fields
    assert not ExportJob.objects.exists()


def test_the_rules_of_the_page_apply(july_cases: tuple[Case, Case], signed_in: Any) -> None:
    unit = Unit.objects.get(code="dpmptsp")
    assert ask(signed_in("siti"), kind="xes", unit=unit.pk).status_code == 403  # heads no unit
    # A colleague's SKP evidence: superiors only.
    assert ask(signed_in("siti"), kind="skp_pdf", officer=officer("andi").pk).status_code == 403
    assert signed_in("bambang").get(ASK).status_code == 405  # asking changes state: POST
    assert not ExportJob.objects.exists()


def test_the_signed_skp_pdf_is_made_in_the_worker(
    july_cases: tuple[Case, Case], signed_in: Any
) -> None:
    head = signed_in("bambang")
    assert ask(head, kind="skp_pdf", officer=officer("andi").pk, bulan="2026-07").status_code == 302
    job = ExportJob.objects.get()
    assert jobs.run_export(job.pk) == ExportStatus.DONE
    response = head.get(f"{ASK}{job.pk}/unduh")
    pdf = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    with signing.agency_signer("kota-contoh", "Pemerintah Kota Contoh") as signer:
        assert signing.validate_pdf_signature(pdf, signer.trust_roots).is_ok


def test_a_failure_is_recorded_for_the_officer(
    july_cases: tuple[Case, Case], signed_in: Any
) -> None:
    job = ExportJob.objects.create(owner=officer("bambang"), kind="xes", params={})  # no unit
    assert jobs.run_export(job.pk) == ExportStatus.FAILED
    job.refresh_from_db()
    assert job.error and job.finished_at is not None
    page = signed_in("bambang").get(f"{ASK}{job.pk}/")
    assert 'data-testid="export-error"' in page.content.decode()


def test_prepared_downloads_are_forgotten_after_a_day(
    july_cases: tuple[Case, Case], signed_in: Any
) -> None:
    import datetime as dt

    unit = Unit.objects.get(code="dpmptsp")
    ask(signed_in("bambang"), kind="tables", unit=unit.pk, bulan="2026-07")
    job = ExportJob.objects.get()
    jobs.run_export(job.pk)
    job.refresh_from_db()
    path = jobs.file_of(job)
    assert path is not None and path.is_file()
    assert jobs.purge_old(now=job.created_at + dt.timedelta(hours=23)) == 0
    assert jobs.purge_old(now=job.created_at + dt.timedelta(days=1, seconds=1)) == 1
    assert not path.exists() and not ExportJob.objects.exists()
