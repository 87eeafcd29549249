"""Officers' acts and the applicant's answers: authority, returns, rejections, joins, deadlines."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pytest
from django.utils import timezone

from loket.cases import services
from loket.cases.models import AuditLog, Case, CaseEvent, CaseStatus, Task, TaskStatus
from loket.core.errors import AuthorityError, ValidationError
from tests.cases.conftest import iu_data, officer, post_application

pytestmark = pytest.mark.django_db


def _open_task(number: str, step: str) -> Task:
    return Task.objects.get(case__tracking_number=number, step_id=step, status=TaskStatus.OPEN)


def _decide(client, headers, task: Task, decision: str, reason: str = ""):
    return client.post(
        f"/api/v1/tasks/{task.pk}/decision",
        json.dumps({"decision": decision, "reason": reason}),
        content_type="application/json",
        headers=headers,
    )


def test_return_for_revision_pauses_the_clock_until_the_applicant_resubmits(
    demo, client, token_for
):
    receipt = post_application(client).json()
    number, code = receipt["tracking_number"], receipt["access_code"]
    # The clock runs once the front office declares the file complete.
    _decide(client, token_for("andi"), _open_task(number, "verifikasi-berkas"), "approve")
    due_before = Case.objects.get(tracking_number=number).due_at

    response = _decide(
        client,
        token_for("siti"),
        _open_task(number, "kajian-teknis"),
        "return",
        "Foto lokasi buram, unggah ulang.",
    )
    assert response.status_code == 200, response.content
    status = client.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": code}).json()
    assert status["status"] == "awaiting_applicant"
    assert status["clock_paused"] is True
    assert status["open_request"]["reason"] == "Foto lokasi buram, unggah ulang."

    later = timezone.now() + dt.timedelta(days=30)
    with mock.patch("django.utils.timezone.now", return_value=later):
        resubmitted = client.post(
            f"/api/v1/applications/{number}/resubmit",
            {"data": json.dumps({"alamat_usaha": "Jl. Melati No. 7"})},
            headers={"X-Access-Code": code},
        )
    assert resubmitted.status_code == 200, resubmitted.content
    body = resubmitted.json()
    assert body["status"] == "in_progress"
    assert body["data"]["alamat_usaha"] == "Jl. Melati No. 7"
    assert [s["id"] for s in body["current_steps"]] == ["verifikasi-berkas"]
    case = Case.objects.get(tracking_number=number)
    assert case.due_at > due_before + dt.timedelta(days=25)  # the paused month does not count


def test_resubmission_records_only_the_fields_whose_value_changed(demo, client, token_for):
    receipt = post_application(client).json()
    number, code = receipt["tracking_number"], receipt["access_code"]
    _decide(
        client,
        token_for("andi"),
        _open_task(number, "verifikasi-berkas"),
        "return",
        "Alamat kurang lengkap, mohon dilengkapi.",
    )
    sent = iu_data(alamat_usaha="Jl. Melati No. 7", modal_usaha="25000000")  # same, as text
    resubmitted = client.post(
        f"/api/v1/applications/{number}/resubmit",
        {"data": json.dumps(sent)},
        headers={"X-Access-Code": code},
    )
    assert resubmitted.status_code == 200, resubmitted.content
    event = CaseEvent.objects.get(case__tracking_number=number, kind="resubmitted")
    assert event.payload["changed_fields"] == ["alamat_usaha"]


def test_reason_is_required_to_reject(demo, client, token_for):
    number = post_application(client).json()["tracking_number"]
    response = _decide(client, token_for("andi"), _open_task(number, "verifikasi-berkas"), "reject")
    assert response.status_code == 422
    assert response.json()["field"] == "reason"


def test_officer_rejection_ends_the_case(demo, client, token_for):
    number = post_application(client).json()["tracking_number"]
    response = _decide(
        client,
        token_for("andi"),
        _open_task(number, "verifikasi-berkas"),
        "reject",
        "KTP bukan milik pemohon.",
    )
    body = response.json()
    assert body["case"]["status"] == "rejected"
    assert body["case"]["outcome_reason"] == "KTP bukan milik pemohon."
    assert not Task.objects.filter(case__tracking_number=number, status=TaskStatus.OPEN).exists()


def test_applicant_can_cancel_and_open_tasks_close(demo, client):
    receipt = post_application(client).json()
    response = client.post(
        f"/api/v1/applications/{receipt['tracking_number']}/cancel",
        json.dumps({"reason": "Salah pilih layanan"}),
        content_type="application/json",
        headers={"X-Access-Code": receipt["access_code"]},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Task.objects.get(case__tracking_number=receipt["tracking_number"]).status == "cancelled"
    again = client.post(
        f"/api/v1/applications/{receipt['tracking_number']}/cancel",
        json.dumps({}),
        content_type="application/json",
        headers={"X-Access-Code": receipt["access_code"]},
    )
    assert again.status_code == 409


def _reklame(client):
    from tests.cases.test_end_to_end import SERVICES

    spec = SERVICES["izin-reklame"]
    return post_application(
        client, service="izin-reklame", data=spec["data"], documents=spec["documents"]()
    ).json()["tracking_number"]


def test_parallel_branches_join_only_when_both_are_done(demo, client, token_for):
    number = _reklame(client)
    _decide(client, token_for("rina"), _open_task(number, "verifikasi-berkas"), "approve")
    assert {
        t.step_id for t in Task.objects.filter(case__tracking_number=number, status="open")
    } == {
        "kajian-tata-ruang",
        "kajian-pajak",
    }

    _decide(client, token_for("rudi"), _open_task(number, "kajian-tata-ruang"), "approve")
    assert not Task.objects.filter(case__tracking_number=number, step_id="persetujuan").exists()

    _decide(client, token_for("maya"), _open_task(number, "kajian-pajak"), "approve")
    assert _open_task(number, "persetujuan").position.code == "kabid-perizinan"


def test_rejection_in_one_branch_ends_the_case_and_stops_the_other(demo, client, token_for):
    number = _reklame(client)
    _decide(client, token_for("rina"), _open_task(number, "verifikasi-berkas"), "approve")
    _decide(
        client,
        token_for("rudi"),
        _open_task(number, "kajian-tata-ruang"),
        "reject",
        "Lokasi di jalur hijau.",
    )

    case = Case.objects.get(tracking_number=number)
    assert case.status == CaseStatus.REJECTED
    assert Task.objects.get(case=case, step_id="kajian-pajak").status == TaskStatus.CANCELLED


def test_officer_without_the_position_is_refused_and_only_an_audit_line_remains(
    demo, client, token_for
):
    number = post_application(client).json()["tracking_number"]
    task = _open_task(number, "verifikasi-berkas")
    events_before = CaseEvent.objects.filter(case=task.case).count()

    response = _decide(client, token_for("siti"), task, "approve")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "Petugas Front Office" in response.json()["detail"]
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert CaseEvent.objects.filter(case=task.case).count() == events_before
    audit = AuditLog.objects.get()
    assert audit.officer == officer("siti")
    assert audit.action == "decide"


def test_segregation_of_duties_refuses_the_same_officer_for_both_steps(demo, client):
    from loket.org.models import Capacity, Position
    from loket.org.services import appoint

    number = post_application(client).json()["tracking_number"]
    dewi = officer("dewi")
    # Dewi (Plt head of division) is also appointed a licensing analyst.
    appoint(
        officer=dewi,
        position=Position.objects.get(code="analis-perizinan"),
        capacity=Capacity.DEFINITIVE,
        start_date=dt.date(2024, 1, 2),
    )
    services.decide(
        task_id=_open_task(number, "verifikasi-berkas").pk,
        officer=officer("andi"),
        decision="approve",
    )
    services.decide(
        task_id=_open_task(number, "kajian-teknis").pk, officer=dewi, decision="approve"
    )

    task = _open_task(number, "persetujuan")
    with pytest.raises(AuthorityError) as refused:
        services.decide(task_id=task.pk, officer=dewi, decision="approve")
    assert refused.value.code == "segregation_of_duties"
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_claimed_task_cannot_be_decided_by_another_holder(demo, client):
    number = post_application(client).json()["tracking_number"]
    task = _open_task(number, "verifikasi-berkas")
    services.claim_task(task_id=task.pk, officer=officer("andi"))

    from loket.core.errors import ConflictError

    with pytest.raises(ConflictError) as refused:
        services.decide(task_id=task.pk, officer=officer("rina"), decision="approve")
    assert refused.value.code == "task_claimed"
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_overdue_task_is_escalated_to_the_superior_and_visible_in_the_queue(
    demo, client, token_for
):
    from loket.notify.models import OutboxMessage

    number = post_application(client).json()["tracking_number"]
    task = _open_task(number, "verifikasi-berkas")
    later = task.due_at + dt.timedelta(days=30)

    assert services.escalate_overdue(now=later) == 1
    assert services.escalate_overdue(now=later) == 0  # once per task

    event = CaseEvent.objects.get(case=task.case, kind="escalated")
    assert event.payload["superior_position"] == "kabid-perizinan"
    assert event.payload["notified"] == [officer("dewi").nip]
    recipients = {m.recipient for m in OutboxMessage.objects.filter(event="task_overdue_escalated")}
    assert "dewi@kotacontoh.go.id" in recipients
    with mock.patch("django.utils.timezone.now", return_value=later):
        queue = client.get("/api/v1/tasks", headers=token_for("andi")).json()
    assert queue[0]["tracking_number"] == number
    assert queue[0]["is_overdue"] is True
    assert queue[0]["escalated"] is True


def test_escalation_in_the_future_also_apologises_for_the_late_application(demo, client):
    from loket.notify.models import OutboxMessage

    number = post_application(client).json()["tracking_number"]
    services.decide(
        task_id=_open_task(number, "verifikasi-berkas").pk,
        officer=officer("andi"),
        decision="approve",
    )
    case = Case.objects.get(tracking_number=number)
    # Past the whole service's deadline at `now`, though not by the wall clock.
    later = case.due_at + dt.timedelta(days=30)
    assert services.escalate_overdue(now=later) == 1
    case.refresh_from_db()
    assert case.apologised_at == later
    assert OutboxMessage.objects.filter(event="overdue_apology").exists()


def test_overdue_count_covers_the_unit_and_the_units_below_it(demo, client):
    from loket.cases.selectors import overdue_count
    from loket.org.models import Unit

    numbers = [post_application(client).json()["tracking_number"] for _ in range(2)]
    later = _open_task(numbers[0], "verifikasi-berkas").due_at + dt.timedelta(days=30)
    division = Unit.objects.get(code="bidang-perizinan")
    office = Unit.objects.get(code="dpmptsp")  # the division's parent
    assert overdue_count(division) == 0
    assert overdue_count(division, at=later) == 2
    assert overdue_count(office, at=later) == 2
    assert overdue_count(Unit.objects.get(code="bapenda"), at=later) == 0


def test_failure_in_the_outbox_leaves_the_case_exactly_as_before(demo, client):
    number = post_application(client).json()["tracking_number"]
    task = _open_task(number, "verifikasi-berkas")
    case = Case.objects.get(tracking_number=number)
    snapshot = (case.status, case.current_steps, case.events.count(), Task.objects.count())

    with (
        mock.patch(
            "loket.cases.ports.enqueue_notification", side_effect=RuntimeError("outbox down")
        ),
        pytest.raises(RuntimeError),
    ):
        services.decide(
            task_id=task.pk,
            officer=officer("andi"),
            decision="return",
            reason="Foto KTP tidak terbaca.",
        )

    case.refresh_from_db()
    task.refresh_from_db()
    assert (case.status, case.current_steps, case.events.count(), Task.objects.count()) == snapshot
    assert task.status == TaskStatus.OPEN and task.decided_by is None


def test_unknown_decision_is_refused(demo, client):
    number = post_application(client).json()["tracking_number"]
    with pytest.raises(ValidationError):
        services.decide(
            task_id=_open_task(number, "verifikasi-berkas").pk,
            officer=officer("andi"),
            decision="maybe",
        )


def test_list_shows_nik_masked_and_case_detail_in_full(demo, client, token_for):
    number = post_application(client, data=iu_data()).json()["tracking_number"]
    headers = token_for("andi")
    [task] = client.get("/api/v1/tasks", headers=headers).json()
    assert task["applicant_nik"] == "3273********0003"
    detail = client.get(f"/api/v1/cases/{number}", headers=headers).json()
    assert detail["applicant"]["nik"] == "3273055504900003"
