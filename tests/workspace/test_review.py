"""The officer's review without a browser: checklist with the decision, plain check labels,
the signer's preview (who may see it) and the confirmation step before issuing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from loket.cases import services
from loket.cases.models import CaseEvent, CaseStatus, PersonalDataRead, Task, TaskStatus
from loket.catalog.models import ServiceVersion
from loket.documents.models import IssuedDocument
from loket.workspace.presenters import check_label
from tests.helpers import issue_requested_documents
from tests.workspace.conftest import apply, officer, open_task

pytestmark = pytest.mark.django_db

SignIn = Callable[[str], Client]


def _claimed(case, username: str) -> Task:
    task = open_task(case)
    services.claim_task(task_id=task.pk, officer=officer(username))
    return task


def _at_signing_step(case) -> Task:
    for username in ("andi", "siti"):
        task = _claimed(case, username)
        services.decide(task_id=task.pk, officer=officer(username), decision="approve")
    return _claimed(case, "dewi")


def test_checklist_is_recorded_with_the_decision(demo, signed_in: SignIn) -> None:
    case = apply()
    task = _claimed(case, "andi")
    response = signed_in("andi").post(
        f"/workspace/tasks/{task.pk}/decide/",
        {
            "d-verdict_ktp": "sesuai",
            "d-verdict_foto_lokasi": "tidak_sesuai",
            "d-note_foto_lokasi": "Papan nama tidak terlihat.",
            "d-decision": "return",
            "d-reason": "Foto lokasi belum menunjukkan papan nama usaha.",
            "d-requested_fields": ["alamat_usaha"],
        },
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, kind="decided")
    assert event.payload["checklist"] == {
        "ktp": {"verdict": "sesuai", "note": ""},
        "foto_lokasi": {"verdict": "tidak_sesuai", "note": "Papan nama tidak terlihat."},
    }
    assert event.payload["requested"] == {"documents": ["foto_lokasi"], "fields": ["alamat_usaha"]}


def test_approving_a_document_marked_not_conforming_is_a_form_error(
    demo, signed_in: SignIn
) -> None:
    case = apply()
    task = _claimed(case, "andi")
    response = signed_in("andi").post(
        f"/workspace/tasks/{task.pk}/decide/",
        {"d-verdict_ktp": "tidak_sesuai", "d-note_ktp": "Buram.", "d-decision": "approve"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["verdict_ktp"]
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_checks_label_from_the_definition_replaces_its_rule(demo, signed_in: SignIn) -> None:
    case = apply()
    version = case.service_version
    definition = version.definition
    definition["steps"][0]["checks"][0]["label"] = {
        "id": "Modal usaha dalam batas usaha mikro",
        "en": "Capital within the micro limit",
    }
    # Published versions are immutable through the model; the test edits the stored JSON
    # (and its hash, which names the content the compiled definitions are cached by).
    ServiceVersion.objects.filter(pk=version.pk).update(
        definition=definition, content_hash="f" * 64
    )
    body = signed_in("andi").get(f"/workspace/tasks/{open_task(case).pk}/").content.decode()
    assert 'Lolos: <span class="check-label">Modal usaha dalam batas usaha mikro</span>' in body


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ({"rule": "x > 1", "label": {"id": "Label", "en": "Label EN"}}, "Label"),
        ({"rule": "x > 1", "label": "Teks"}, "Teks"),
        ({"rule": "x > 1", "id": "modal-mikro"}, "modal-mikro"),
        ({"rule": "x > 1", "label": ""}, "x > 1"),
        ({"rule": "x > 1"}, "x > 1"),
    ],
)
def test_check_label_falls_back_to_the_id_then_the_rule(check, expected) -> None:
    assert check_label(check, "id") == expected


def test_signers_approval_shows_the_confirmation_and_issues_nothing_yet(
    demo, signed_in: SignIn
) -> None:
    case = apply()
    task = _at_signing_step(case)
    client = signed_in("dewi")
    page = client.post(f"/workspace/tasks/{task.pk}/decide/", {"d-decision": "approve"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Setujui dan tandatangani" in body
    assert f"/workspace/tasks/{task.pk}/pratinjau/" in body
    assert 'name="d-confirmed" value="on"' in body
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN
    assert not IssuedDocument.objects.filter(case=case).exists()

    confirmed = client.post(
        f"/workspace/tasks/{task.pk}/decide/", {"d-decision": "approve", "d-confirmed": "on"}
    )
    assert confirmed.status_code == 302
    issue_requested_documents()  # what the worker does a moment later
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert IssuedDocument.objects.filter(case=case).count() == 1


def test_a_return_at_the_signing_step_needs_no_confirmation(demo, signed_in: SignIn) -> None:
    case = apply()
    task = _at_signing_step(case)
    response = signed_in("dewi").post(
        f"/workspace/tasks/{task.pk}/decide/",
        {"d-decision": "return", "d-reason": "Lengkapi alamat tempat usaha dengan RT/RW."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPLICANT


def test_earlier_steps_approve_without_a_confirmation(demo, signed_in: SignIn) -> None:
    case = apply()
    task = _claimed(case, "andi")
    response = signed_in("andi").post(
        f"/workspace/tasks/{task.pk}/decide/", {"d-decision": "approve"}
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_the_preview_is_an_unsigned_watermarked_pdf_and_its_reading_is_audited(
    demo, signed_in: SignIn
) -> None:
    case = apply()
    task = _at_signing_step(case)
    response = signed_in("dewi").get(f"/workspace/tasks/{task.pk}/pratinjau/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response.content[:4] == b"%PDF" and b"/ByteRange" not in response.content
    read = PersonalDataRead.objects.get(case=case, detail="document preview")
    assert read.officer == officer("dewi")


def test_the_preview_is_only_for_the_officer_who_may_decide_a_signing_step(
    demo, signed_in: SignIn
) -> None:
    case = apply()
    first = _claimed(case, "andi")
    # Not a signing step: verification leads to the technical review, not to issuing.
    assert signed_in("andi").get(f"/workspace/tasks/{first.pk}/pratinjau/").status_code == 404
    services.decide(task_id=first.pk, officer=officer("andi"), decision="approve")
    second = _claimed(case, "siti")
    services.decide(task_id=second.pk, officer=officer("siti"), decision="approve")
    task = open_task(case)
    for username in ("andi", "siti", "rina"):  # other positions, or nobody's signing task
        assert signed_in(username).get(f"/workspace/tasks/{task.pk}/pratinjau/").status_code == 404
    assert signed_in("dewi").get(f"/workspace/tasks/{task.pk}/pratinjau/").status_code == 200


def test_unit_page_reassigns_from_the_list_and_needs_the_csrf_token(
    demo, signed_in: SignIn
) -> None:
    case = apply()
    task = _claimed(case, "andi")
    client = signed_in("dewi")
    page = client.get("/workspace/unit/").content.decode()
    assert f'action="/workspace/tasks/{task.pk}/reassign/"' in page
    assert 'name="csrfmiddlewaretoken"' in page.split(f"/workspace/tasks/{task.pk}/reassign/")[1]

    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    refused = strict.post(f"/workspace/tasks/{task.pk}/reassign/", {"assignee": officer("rina").pk})
    assert refused.status_code == 403
    assert open_task(case).claimed_by == officer("andi")
