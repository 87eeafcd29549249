"""The service deadline runs from completeness (UU 30/2014 Pasal 53), not from submission;
a deadline passing undecided is flagged to the head of unit (fiktif positif exposure)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from loket.cases import deadlines, services
from loket.cases.intake import Applicant
from loket.cases.models import Case, CaseEvent, CaseStatus, Task, TaskStatus
from loket.catalog.definitions import ServiceDefinition
from tests.cases.conftest import NIK, iu_data, officer
from tests.documents.samples import pdf_bytes, png_bytes
from tests.workspace.conftest import signed_in  # noqa: F401  (officers signed in with 2FA)

pytestmark = pytest.mark.django_db

# Monday 16 March 2026: the week of Nyepi (19 Mar) and Idul Fitri (21-22 Mar) with
# cuti bersama on 18, 20, 23 and 24 March (SKB 3 Menteri 2025; Keppres 42/2025).
SUBMITTED = timezone.make_aware(dt.datetime(2026, 3, 16, 9, 0))
COMPLETE = timezone.make_aware(dt.datetime(2026, 3, 17, 10, 0))


def _apply(now: dt.datetime = SUBMITTED) -> Case:
    return _submit(now).case


def _submit(now: dt.datetime = SUBMITTED) -> services.Submission:
    return services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data=iu_data(),
        documents={
            "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf"),
            "foto_lokasi": SimpleUploadedFile("lokasi.png", png_bytes(), content_type="image/png"),
        },
        now=now,
    )


def _decide(case: Case, step: str, who: str, decision: str, at: dt.datetime) -> None:
    task = Task.objects.get(case=case, step_id=step, status=TaskStatus.OPEN)
    reason = "" if decision == "approve" else "Foto lokasi buram, mohon unggah ulang."
    services.decide(task_id=task.pk, officer=officer(who), decision=decision, reason=reason, now=at)


def test_no_service_clock_runs_before_the_file_is_declared_complete(demo):
    case = _apply()
    assert case.submitted_at == SUBMITTED
    assert case.complete_at is None
    assert case.due_at is None


def test_deadline_runs_from_the_verification_approval_across_cuti_bersama(demo):
    case = _apply()
    _decide(case, "verifikasi-berkas", "andi", "approve", COMPLETE)

    case.refresh_from_db()
    assert case.submitted_at == SUBMITTED  # kept for reporting
    assert case.complete_at == COMPLETE
    # 5 working days from Tue 17 Mar 10:00 skip 18-24 Mar: 25, 26, 27, 30, 31 March.
    assert case.due_at == timezone.make_aware(dt.datetime(2026, 3, 31, 10, 0))
    event = CaseEvent.objects.get(case=case, kind="declared_complete")
    assert event.officer == officer("andi")
    assert event.is_public


def test_tracking_shows_submission_and_completeness_both(demo, client):
    submission = _submit()
    case = submission.case
    headers = {"X-Access-Code": submission.access_code}
    url = f"/api/v1/applications/{case.tracking_number}"
    assert client.get(url, headers=headers).json()["complete_at"] is None

    _decide(case, "verifikasi-berkas", "andi", "approve", COMPLETE)

    body = client.get(url, headers=headers).json()
    assert body["submitted_at"] == "2026-03-16T09:00:00+07:00"
    assert body["complete_at"] == "2026-03-17T10:00:00+07:00"
    assert body["due_at"] == "2026-03-31T10:00:00+07:00"
    opened = client.post(
        "/lacak/", {"tracking_number": case.tracking_number, "access_code": submission.access_code}
    )
    page = client.get(opened["Location"]).content.decode()
    assert "16-03-2026 09:00" in page
    assert "17-03-2026 10:00" in page
    assert "31-03-2026 10:00" in page


def test_a_return_before_completeness_pauses_nothing_and_the_clock_starts_later(demo):
    case = _apply()
    _decide(case, "verifikasi-berkas", "andi", "return", COMPLETE)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPLICANT
    assert (case.paused_at, case.due_at, case.complete_at) == (None, None, None)

    resubmitted = timezone.make_aware(dt.datetime(2026, 3, 25, 9, 0))
    services.resubmit(case_id=case.pk, data={"alamat_usaha": "Jl. Melati 7"}, now=resubmitted)
    approved = timezone.make_aware(dt.datetime(2026, 3, 26, 9, 0))
    _decide(case, "verifikasi-berkas", "andi", "approve", approved)

    case.refresh_from_db()
    assert case.complete_at == approved
    assert case.due_at == timezone.make_aware(dt.datetime(2026, 4, 2, 9, 0))  # 27 Mar-2 Apr


def test_a_return_after_completeness_pauses_without_restarting_the_clock(demo):
    case = _apply()
    _decide(case, "verifikasi-berkas", "andi", "approve", COMPLETE)
    returned = timezone.make_aware(dt.datetime(2026, 3, 25, 10, 0))  # 4 of 5 days left
    _decide(case, "kajian-teknis", "siti", "return", returned)
    case.refresh_from_db()
    assert case.paused_at == returned

    resubmitted = timezone.make_aware(dt.datetime(2026, 4, 6, 10, 0))
    services.resubmit(case_id=case.pk, data={"alamat_usaha": "Jl. Melati 7"}, now=resubmitted)
    _decide(case, "verifikasi-berkas", "andi", "approve", resubmitted + dt.timedelta(hours=1))

    case.refresh_from_db()
    assert case.complete_at == COMPLETE  # the first declaration stands
    assert case.due_at == timezone.make_aware(dt.datetime(2026, 4, 10, 10, 0))  # 4 days on
    assert CaseEvent.objects.filter(case=case, kind="declared_complete").count() == 1


def test_a_lapsed_statutory_deadline_is_flagged_once_to_the_head_of_unit(demo, signed_in):  # noqa: F811
    from loket.notify.models import OutboxMessage

    case = _apply()
    _decide(case, "verifikasi-berkas", "andi", "approve", COMPLETE)
    case.refresh_from_db()
    before = case.due_at - dt.timedelta(minutes=1)
    after = case.due_at + dt.timedelta(hours=1)

    assert deadlines.flag_statutory_lapses(now=before) == 0
    assert deadlines.flag_statutory_lapses(now=after) == 1
    assert deadlines.flag_statutory_lapses(now=after) == 0  # once per case

    event = CaseEvent.objects.get(case=case, kind="statutory_deadline_lapsed")
    assert event.payload["head_position"] == "kepala-dpmptsp"
    assert event.payload["notified"] == [officer("bambang").nip]
    assert not event.is_public
    recipients = {
        m.recipient for m in OutboxMessage.objects.filter(event="statutory_deadline_lapsed")
    }
    assert "bambang@kotacontoh.go.id" in recipients
    assert "dewi@kotacontoh.go.id" not in recipients

    with mock.patch("django.utils.timezone.now", return_value=after):
        head = _lapses_section(signed_in("bambang").get("/workspace/unit/"))
        division = _lapses_section(signed_in("dewi").get("/workspace/unit/"))
    assert case.tracking_number in head
    assert case.tracking_number not in division  # the service belongs to the office


def _lapses_section(response: Any) -> str:
    page = response.content.decode()
    return page.split('data-testid="statutory-lapses"')[1].split("</section>")[0]


def test_no_lapse_while_the_applicant_has_the_case_or_after_a_decision(demo):
    waiting, decided = _apply(), _apply()
    for case in (waiting, decided):
        _decide(case, "verifikasi-berkas", "andi", "approve", COMPLETE)
    _decide(waiting, "kajian-teknis", "siti", "return", COMPLETE + dt.timedelta(hours=1))
    _decide(decided, "kajian-teknis", "siti", "reject", COMPLETE + dt.timedelta(hours=1))

    assert deadlines.flag_statutory_lapses(now=COMPLETE + dt.timedelta(days=60)) == 0


def test_completeness_step_defaults_to_the_first_automatic_check():
    steps = [{"id": "cek", "kind": "auto"}, {"id": "verifikasi", "kind": "task"}]
    assert ServiceDefinition({"steps": steps, "deadline": {}}).completeness_step == "cek"
    named = {"steps": steps, "deadline": {"counted_from": "verifikasi"}}
    assert ServiceDefinition(named).completeness_step == "verifikasi"
    assert ServiceDefinition({"steps": steps[1:], "deadline": {}}).completeness_step is None
