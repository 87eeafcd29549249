"""The applicant's response deadline is enforced: past it the case closes as withdrawn
(or goes where the applicant step's `on_lapse` says), with a notice and an event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loket.cases import deadlines, services
from loket.cases.models import Case, CaseEvent, CaseStatus, Outcome, Task, TaskStatus
from loket.catalog.services import publish_text
from loket.notify.models import OutboxMessage
from tests.cases.conftest import officer
from tests.cases.test_completeness import SUBMITTED, _apply
from tests.catalog.conftest import demo_text

pytestmark = pytest.mark.django_db

RETURNED = timezone.make_aware(dt.datetime(2026, 3, 17, 10, 0))


def _returned() -> Case:
    case = _apply()
    task = Task.objects.get(case=case, step_id="verifikasi-berkas", status=TaskStatus.OPEN)
    services.decide(
        task_id=task.pk,
        officer=officer("andi"),
        decision="return",
        reason="Foto lokasi buram, mohon unggah ulang.",
        now=RETURNED,
    )
    case.refresh_from_db()
    return case


def test_the_respond_by_moment_counts_ten_working_days_across_cuti_bersama(demo):
    case = _returned()
    # 10 working days from Tue 17 Mar 10:00: 25, 26, 27, 30, 31 Mar, 1, 2, 6, 7, 8 Apr.
    assert case.respond_by == timezone.make_aware(dt.datetime(2026, 4, 8, 10, 0))


def test_a_lapsed_applicant_deadline_closes_the_case_as_withdrawn_with_a_notice(demo):
    case = _returned()
    assert deadlines.close_lapsed_applicant_waits(now=case.respond_by) == 0  # not yet past
    later = case.respond_by + dt.timedelta(minutes=1)

    assert deadlines.close_lapsed_applicant_waits(now=later) == 1
    assert deadlines.close_lapsed_applicant_waits(now=later) == 0

    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.CANCELLED, Outcome.CANCELLED)
    assert case.closed_at == later and case.respond_by is None
    assert "8 April 2026" in case.outcome_reason
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-2:] == ["applicant_deadline_lapsed", "closed"]
    sent = list(OutboxMessage.objects.values_list("event", "recipient"))
    assert ("withdrawn_lapsed", "sri@example.id") in sent, sent


def test_an_answer_in_time_clears_the_deadline(demo):
    case = _returned()
    services.resubmit(case_id=case.pk, data={"alamat_usaha": "Jl. Melati 7"}, now=case.respond_by)
    case.refresh_from_db()
    assert case.respond_by is None
    assert deadlines.close_lapsed_applicant_waits(now=SUBMITTED + dt.timedelta(days=90)) == 0


def test_the_service_may_send_a_lapsed_case_to_its_own_end_step(demo):
    text = demo_text("izin-usaha-mikro").replace(
        "    next: verifikasi-berkas\n  - id: penerbitan",
        "    next: verifikasi-berkas\n    on_lapse: ditolak\n  - id: penerbitan",
    )
    assert "on_lapse: ditolak" in text
    publish_text(text)
    case = _returned()

    deadlines.close_lapsed_applicant_waits(now=case.respond_by + dt.timedelta(days=1))
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.REJECTED, Outcome.REJECTED)
    assert OutboxMessage.objects.filter(event="withdrawn_lapsed").exists()
