"""The officer's work pages through the Django test client: queue, task, decide, reassign."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loket.cases import services
from loket.cases.models import CaseEvent, CaseStatus, Task, TaskStatus
from tests.accounts.factories import make_applicant
from tests.workspace.conftest import apply, officer, open_task

pytestmark = pytest.mark.django_db

SignIn = Callable[[str], Client]


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def to_step(case, *steps: tuple[str, str]) -> Task:
    """Claim and approve the open task as each (username) in turn; return the next open task."""
    for username in steps:
        task = open_task(case)
        services.claim_task(task_id=task.pk, officer=officer(username))
        services.decide(task_id=task.pk, officer=officer(username), decision="approve")
    return open_task(case)


def make_overdue(task: Task, days: int = 2) -> None:
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - dt.timedelta(days=days))


# -- the queue -----------------------------------------------------------------------------


def test_queue_shows_tasks_of_the_positions_held_with_the_capacity(demo, signed_in: SignIn) -> None:
    case = apply()
    to_step(case, "andi", "siti")
    response = english(signed_in("dewi")).get("/workspace/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["task"].case.tracking_number for row in rows] == [case.tracking_number]
    assert rows[0]["capacity"] == "Plt"
    assert "Plt" in response.content.decode()
    # Step names follow the reader's language (the task stores the Indonesian one).
    assert "Approval by the head of division" in response.content.decode()
    assert "Persetujuan Kepala Bidang" not in response.content.decode()


def test_queue_of_an_officer_excludes_other_positions_tasks(demo, signed_in: SignIn) -> None:
    apply()
    response = signed_in("siti").get("/workspace/")
    assert response.context["rows"] == []
    assert response.context["counts"].all == 0


def test_queue_puts_overdue_tasks_first_then_orders_by_due_date(demo, signed_in: SignIn) -> None:
    first, second, third = apply("A"), apply("B"), apply("C")
    Task.objects.filter(case=first).update(due_at=timezone.now() + dt.timedelta(days=3))
    Task.objects.filter(case=second).update(due_at=timezone.now() + dt.timedelta(days=1))
    make_overdue(open_task(third))
    response = signed_in("andi").get("/workspace/")
    order = [row["task"].case for row in response.context["rows"]]
    assert order == [third, second, first]
    assert response.context["counts"].overdue == 1


def test_queue_filters_and_counts_by_state(demo, signed_in: SignIn) -> None:
    mine, theirs, free = apply("A"), apply("B"), apply("C")
    services.claim_task(task_id=open_task(mine).pk, officer=officer("andi"))
    services.claim_task(task_id=open_task(theirs).pk, officer=officer("rina"))
    make_overdue(open_task(free))
    client = signed_in("andi")

    def cases(state: str) -> list:
        response = client.get("/workspace/", {"state": state})
        return [row["task"].case for row in response.context["rows"]]

    assert set(cases("all")) == {mine, theirs, free}
    assert cases("mine") == [mine]
    assert cases("open") == [free]
    assert cases("overdue") == [free]
    counts = client.get("/workspace/").context["counts"]
    assert (counts.all, counts.open, counts.mine, counts.overdue) == (3, 1, 1, 1)


def test_queue_filters_by_service(demo, signed_in: SignIn) -> None:
    case = apply()
    client = signed_in("andi")
    response = client.get("/workspace/", {"service": case.service_id})
    assert len(response.context["rows"]) == 1
    other = client.get("/workspace/", {"service": case.service_id + 999})
    # An unknown service is not a filter choice: the form refuses it and shows everything.
    assert len(other.context["rows"]) == 1
    assert other.context["form"].errors


def test_queue_runs_a_fixed_number_of_queries_however_many_tasks(demo, signed_in: SignIn) -> None:
    client = signed_in("andi")
    apply("A")
    client.get("/workspace/")  # per-process caches (the site agency in the header) warm up
    with CaptureQueriesContext(connection) as one:
        assert client.get("/workspace/").status_code == 200
    for name in "BCDEF":
        services.claim_task(task_id=open_task(apply(name)).pk, officer=officer("rina"))
    with CaptureQueriesContext(connection) as six:
        response = client.get("/workspace/")
    assert len(response.context["rows"]) == 6
    assert len(six) == len(one), [q["sql"] for q in six.captured_queries]


def test_htmx_queue_request_gets_only_the_queue_fragment(demo, signed_in: SignIn) -> None:
    apply()
    response = signed_in("andi").get("/workspace/", {"state": "open"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert 'class="queue' in body


# -- who may see what ----------------------------------------------------------------------


def test_officer_outside_the_cases_reach_gets_404(demo, signed_in: SignIn) -> None:
    case = apply()
    task = open_task(case)
    document = case.documents.first()
    client = signed_in("rudi")  # spatial planning analyst, another office
    assert client.get(f"/workspace/tasks/{task.pk}/").status_code == 404
    assert client.get(f"/workspace/tasks/{task.pk}/documents/{document.pk}/").status_code == 404
    assert client.post(f"/workspace/tasks/{task.pk}/claim/").status_code == 404
    assert open_task(case).claimed_by is None


def test_applicant_is_refused_the_workspace(demo) -> None:
    case = apply()
    client = Client()
    client.force_login(make_applicant("sari@example.id"))
    response = client.get(f"/workspace/tasks/{open_task(case).pk}/")
    assert response.status_code == 403
    assert client.get("/workspace/").status_code == 403


def test_officer_without_second_factor_is_sent_to_the_code_step(demo) -> None:
    case = apply()
    client = Client()
    client.force_login(officer("andi").user)
    response = client.get(f"/workspace/tasks/{open_task(case).pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/workspace/login/code/"


def test_anonymous_visitor_is_sent_to_sign_in(demo) -> None:
    response = Client().get("/workspace/unit/")
    assert response["Location"] == "/workspace/login/?next=/workspace/unit/"


def test_forms_need_the_csrf_token(demo) -> None:
    case = apply()
    client = Client(enforce_csrf_checks=True)
    user = officer("andi").user
    client.force_login(user)
    from django_otp import DEVICE_ID_SESSION_KEY

    from loket.workspace.otp import confirmed_devices

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_devices(user)[0].persistent_id
    session.save()
    response = client.post(f"/workspace/tasks/{open_task(case).pk}/claim/")
    assert response.status_code == 403
    assert open_task(case).claimed_by is None


# -- the task page -------------------------------------------------------------------------


def test_task_page_shows_data_documents_checks_and_history(demo, signed_in: SignIn) -> None:
    case = apply()
    response = english(signed_in("andi")).get(f"/workspace/tasks/{open_task(case).pk}/")
    body = response.content.decode()
    text = re.sub(r"<[^>]+>", "", body)
    assert response.status_code == 200
    assert "Warung Bu Sri" in body and "Food and beverage" in body  # choice label, in English
    assert "Rp25,000,000" in body  # a money field, with the English reader's separators
    assert 'type="application/pdf"' in body and "<img" in body
    assert "All checks passed" in body
    # A passed check shows its label from the definition: not the CEL rule, nor the
    # message written for its failure.
    assert "Passed: Business capital within the micro limit (at most IDR 1 billion)" in text
    assert "tables.skala_usaha" not in body
    assert "exceeds the micro limit" not in body
    assert "Application submitted" in body and "Task opened" in body
    assert "Claim this task" in body


def test_task_page_in_indonesian_shows_amounts_as_rupiah_and_checks_by_label(
    demo, signed_in: SignIn
) -> None:
    case = apply(modal_usaha="25.000.000")
    body = signed_in("andi").get(f"/workspace/tasks/{open_task(case).pk}/").content.decode()
    assert "Rp25.000.000" in body
    assert "Modal usaha dalam batas usaha mikro (paling banyak Rp1 miliar)" in body


def test_a_failed_check_reads_as_its_label_and_message_and_one_without_label_as_words(
    demo,
) -> None:
    from loket.catalog.definitions import Check, compiled
    from loket.workspace.presenters import automatic_checks

    case = apply(modal_usaha=2_000_000_000)
    assert case.status == CaseStatus.REJECTED
    events = list(CaseEvent.objects.filter(case=case).order_by("pk"))
    (run,) = automatic_checks(events, compiled(case.service_version))
    (check,) = run.checks
    assert not check.passed
    assert check.label == "Modal usaha dalam batas usaha mikro (paling banyak Rp1 miliar)"
    assert check.message.startswith("Modal usaha melebihi batas usaha mikro")
    unlabelled = Check(rule="data.modal_usaha >= 1 && data.jenis != 'x'")
    assert unlabelled.label_text("id") == "modal usaha ≥ 1 dan jenis ≠ 'x'"
    assert unlabelled.label_text("en") == "modal usaha ≥ 1 and jenis ≠ 'x'"


def test_documents_stream_inline_with_their_type_and_nosniff(demo, signed_in: SignIn) -> None:
    case = apply()
    task = open_task(case)
    client = signed_in("andi")
    for document in case.documents.all():
        response = client.get(f"/workspace/tasks/{task.pk}/documents/{document.pk}/")
        assert response.status_code == 200
        expected = {"pdf": "application/pdf", "png": "image/png"}[document.kind]
        assert response["Content-Type"] == expected
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert b"".join(response.streaming_content)[:4] in (b"%PDF", b"\x89PNG")


def test_a_stored_pdf_with_a_script_is_never_shown_inline(demo, signed_in: SignIn) -> None:
    # Uploads with scripts are refused now; one stored before is served only as a download.
    import hashlib
    import io

    from loket.documents.services import _store
    from tests.documents.samples import pdf_with_open_action_script

    case = apply()
    data = pdf_with_open_action_script()
    stored = _store(io.BytesIO(data), "ktp.pdf", "pdf", len(data), hashlib.sha256(data).hexdigest())
    document = case.documents.get(kind="pdf")
    document.storage_name = stored.storage_name
    document.save(update_fields=["storage_name"])

    response = signed_in("andi").get(
        f"/workspace/tasks/{open_task(case).pk}/documents/{document.pk}/"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_head_who_only_supervises_sees_the_case_masked_and_no_documents(
    demo, signed_in: SignIn
) -> None:
    case = apply()
    task = open_task(case)
    document = case.documents.first()
    client = signed_in("bambang")  # heads the office above the front office; holds no task
    page = client.get(f"/workspace/tasks/{task.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "3273********0003" in body and "3273055504900003" not in body
    assert f"/documents/{document.pk}/" not in body
    assert client.get(f"/workspace/tasks/{task.pk}/documents/{document.pk}/").status_code == 404


def test_claim_swaps_in_the_decision_form_for_htmx(demo, signed_in: SignIn) -> None:
    case = apply()
    task = open_task(case)
    response = signed_in("andi").post(f"/workspace/tasks/{task.pk}/claim/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="task-actions"' in body and "d-decision" in body
    assert open_task(case).claimed_by == officer("andi")


def test_claimed_task_cannot_be_claimed_or_decided_by_a_colleague(demo, signed_in: SignIn) -> None:
    case = apply()
    task = open_task(case)
    signed_in("andi").post(f"/workspace/tasks/{task.pk}/claim/")
    rina = english(signed_in("rina"))
    response = rina.post(f"/workspace/tasks/{task.pk}/claim/", follow=True)
    assert "is already working on this task" in response.content.decode()
    response = rina.post(
        f"/workspace/tasks/{task.pk}/decide/", {"d-decision": "approve"}, follow=True
    )
    assert "only they can decide it" in response.content.decode()
    assert open_task(case).pk == task.pk


def test_return_without_a_reason_is_a_field_error(demo, signed_in: SignIn) -> None:
    case = apply()
    task = open_task(case)
    client = english(signed_in("andi"))
    client.post(f"/workspace/tasks/{task.pk}/claim/")
    response = client.post(f"/workspace/tasks/{task.pk}/decide/", {"d-decision": "return"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_return_with_a_reason_sends_the_case_to_the_applicant(demo, signed_in: SignIn) -> None:
    case = apply()
    task = open_task(case)
    client = signed_in("andi")
    client.post(f"/workspace/tasks/{task.pk}/claim/")
    response = client.post(
        f"/workspace/tasks/{task.pk}/decide/",
        {"d-decision": "return", "d-reason": "Foto KTP buram."},
    )
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPLICANT


def test_double_submit_of_approve_gives_one_decision_and_a_clear_message(
    demo, signed_in: SignIn
) -> None:
    case = apply()
    task = open_task(case)
    client = english(signed_in("andi"))
    client.post(f"/workspace/tasks/{task.pk}/claim/")
    first = client.post(f"/workspace/tasks/{task.pk}/decide/", {"d-decision": "approve"})
    second = client.post(f"/workspace/tasks/{task.pk}/decide/", {"d-decision": "approve"})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == f"/workspace/tasks/{task.pk}/"
    page = client.get(second["Location"])
    body = page.content.decode()
    assert "This task was already decided by Front-Office Officer (Andi Pratama, S.Kom.)" in body
    assert CaseEvent.objects.filter(case=case, kind="decided").count() == 1


def test_decision_taken_by_a_colleague_shows_who_and_when(demo, signed_in: SignIn) -> None:
    case = apply()
    task = open_task(case)
    rina = english(signed_in("rina"))
    services.claim_task(task_id=task.pk, officer=officer("andi"))
    services.decide(task_id=task.pk, officer=officer("andi"), decision="approve")
    response = rina.post(
        f"/workspace/tasks/{task.pk}/decide/",
        {"d-decision": "reject", "d-reason": "Tidak lengkap."},
        follow=True,
    )
    assert response.status_code == 200
    assert "already decided by Front-Office Officer (Andi Pratama, S.Kom.)" in (
        response.content.decode()
    )


# -- heads of units ------------------------------------------------------------------------


def test_head_sees_overdue_tasks_of_the_unit_and_sub_units(demo, signed_in: SignIn) -> None:
    late, on_time = apply("A"), apply("B")
    make_overdue(open_task(late))
    for head in ("dewi", "bambang"):  # Plt of the division; head of the office above it
        response = signed_in(head).get("/workspace/unit/")
        assert response.status_code == 200
        assert [row["task"].case for row in response.context["rows"]] == [late, on_time]
    assert "Terlambat" in response.content.decode().split(on_time.tracking_number)[0]


def test_staff_cannot_open_the_unit_page(demo, signed_in: SignIn) -> None:
    assert signed_in("andi").get("/workspace/unit/").status_code == 403


def test_head_reassigns_a_claimed_task_to_another_holder(demo, signed_in: SignIn) -> None:
    case = apply()
    task = open_task(case)
    services.claim_task(task_id=task.pk, officer=officer("andi"))
    client = signed_in("dewi")
    page = client.get(f"/workspace/tasks/{task.pk}/reassign/")
    assert page.status_code == 200
    rina = officer("rina")
    response = client.post(f"/workspace/tasks/{task.pk}/reassign/", {"assignee": rina.pk})
    assert response.status_code == 302
    assert open_task(case).claimed_by == rina
    event = CaseEvent.objects.get(case=case, kind="reassigned")
    assert event.officer == officer("dewi") and event.capacity == "plt"
    assert event.payload == {"from": officer("andi").nip, "to": rina.nip}


def test_head_releases_a_claim(demo, signed_in: SignIn) -> None:
    case = apply()
    task = open_task(case)
    services.claim_task(task_id=task.pk, officer=officer("andi"))
    signed_in("dewi").post(f"/workspace/tasks/{task.pk}/reassign/", {"assignee": "release"})
    assert open_task(case).claimed_by is None
    assert CaseEvent.objects.filter(case=case, kind="released").exists()


def test_reassign_refuses_an_officer_who_does_not_hold_the_position(
    demo, signed_in: SignIn
) -> None:
    case = apply()
    task = open_task(case)
    response = signed_in("dewi").post(
        f"/workspace/tasks/{task.pk}/reassign/", {"assignee": officer("siti").pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["assignee"]
    assert open_task(case).claimed_by is None


def test_staff_cannot_reassign(demo, signed_in: SignIn) -> None:
    case = apply()
    task = open_task(case)
    response = signed_in("rina").post(
        f"/workspace/tasks/{task.pk}/reassign/", {"assignee": officer("rina").pk}
    )
    assert response.status_code == 403
    assert open_task(case).claimed_by is None


def test_decision_already_taken_is_explained_in_indonesian_by_default(
    demo, signed_in: SignIn
) -> None:
    case = apply()
    task = open_task(case)
    services.claim_task(task_id=task.pk, officer=officer("andi"))
    services.decide(task_id=task.pk, officer=officer("andi"), decision="approve")
    response = signed_in("andi").post(
        f"/workspace/tasks/{task.pk}/decide/", {"d-decision": "approve"}, follow=True
    )
    assert "Tugas ini sudah diputuskan oleh Petugas Front Office (Andi Pratama, S.Kom.)" in (
        response.content.decode()
    )
