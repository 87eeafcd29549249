"""The revision loop: a return names what to fix, a resubmission that fixes none of it is
refused (nothing stored, clock still paused), and the officer reads what changed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from loket.cases import revision, services
from loket.cases.intake import Applicant
from loket.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseRevision,
    CaseStatus,
    Task,
    TaskStatus,
)
from loket.core.errors import ValidationError
from tests.cases.conftest import NIK, iu_data, officer, post_application, stored_files
from tests.documents.samples import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

KTP_WRONG = {"ktp": {"verdict": "tidak_sesuai", "note": "KTP terpotong, unggah utuh."}}
REASON = "KTP tidak terbaca, mohon unggah ulang."


def _apply(**data: Any) -> Case:
    return services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data=iu_data(**data),
        documents={
            "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf"),
            "foto_lokasi": SimpleUploadedFile("lokasi.png", png_bytes(), content_type="image/png"),
        },
    ).case


def _task(case: Case) -> Task:
    return Task.objects.get(case=case, status=TaskStatus.OPEN)


def _return(case: Case, **review: Any) -> CaseEvent:
    return services.decide(
        task_id=_task(case).pk, officer=officer("andi"), decision="return", reason=REASON, **review
    )


def _ktp(text: str = "KTP pemohon") -> SimpleUploadedFile:
    return SimpleUploadedFile("ktp-baru.pdf", pdf_bytes(text), content_type="application/pdf")


def test_return_records_the_checklist_and_asks_for_the_documents_not_conforming(demo):
    case = _apply()
    checklist = {**KTP_WRONG, "foto_lokasi": {"verdict": "sesuai", "note": ""}}
    event = _return(case, checklist=checklist, requested_fields=["alamat_usaha"])
    assert event.payload["checklist"]["ktp"] == KTP_WRONG["ktp"]
    assert event.payload["checklist"]["foto_lokasi"]["verdict"] == "sesuai"
    assert event.payload["requested"] == {"documents": ["ktp"], "fields": ["alamat_usaha"]}
    assert revision.requested_of(case) == revision.Requested(("ktp",), ("alamat_usaha",))


def test_unchanged_resubmission_of_what_was_asked_is_refused_and_nothing_is_kept(demo):
    case = _apply()
    _return(case, checklist=KTP_WRONG)
    case.refresh_from_db()
    paused = (case.paused_at, case.remaining_seconds, case.due_at)
    events = CaseEvent.objects.filter(case=case).count()
    files = stored_files()
    with pytest.raises(ValidationError) as refused:
        # A different field and the very same KTP file: not what was asked.
        services.resubmit(
            case_id=case.pk, data={"nama_usaha": "Warung Sri"}, documents={"ktp": _ktp()}
        )
    assert refused.value.code == "nothing_changed"
    assert refused.value.field == "documents.ktp"
    assert "KTP pemilik usaha" in refused.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPLICANT
    assert (case.paused_at, case.remaining_seconds, case.due_at) == paused  # clock untouched
    assert case.data["nama_usaha"] == "Warung Bu Sri"
    assert case.revision == 0
    assert CaseEvent.objects.filter(case=case).count() == events
    assert CaseDocument.objects.filter(case=case).count() == 2
    assert not CaseRevision.objects.filter(case=case).exists()
    assert stored_files() == files  # the copy written before the refusal is gone


def test_a_new_file_for_the_requested_document_is_accepted(demo):
    case = _apply()
    _return(case, checklist=KTP_WRONG)
    services.resubmit(case_id=case.pk, documents={"ktp": _ktp("KTP utuh")})
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.revision == 1


def test_changing_a_requested_field_is_enough(demo):
    case = _apply()
    _return(case, requested_fields=["alamat_usaha"])
    with pytest.raises(ValidationError) as refused:
        services.resubmit(case_id=case.pk, data={"alamat_usaha": "Jl. Melati No. 5, Kota Contoh"})
    assert refused.value.field == "data.alamat_usaha"
    services.resubmit(case_id=case.pk, data={"alamat_usaha": "Jl. Melati No. 7, Kota Contoh"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS


def test_a_return_naming_nothing_refuses_only_a_resubmission_that_changes_nothing(demo):
    case = _apply()
    _return(case)
    with pytest.raises(ValidationError) as refused:
        services.resubmit(case_id=case.pk, data=iu_data(modal_usaha="25000000"))
    assert refused.value.code == "nothing_changed"
    with pytest.raises(ValidationError):
        services.resubmit(case_id=case.pk, documents={"ktp": _ktp()})  # the same bytes
    services.resubmit(case_id=case.pk, data={"hasil_penjualan_tahunan": 160_000_000})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS


def test_an_identical_file_sent_with_a_real_change_is_not_stored_again(demo):
    case = _apply()
    _return(case, checklist=KTP_WRONG)
    files = stored_files()
    services.resubmit(
        case_id=case.pk,
        documents={
            "ktp": _ktp("KTP utuh"),
            "foto_lokasi": SimpleUploadedFile("l.png", png_bytes(), content_type="image/png"),
        },
    )
    assert set(
        CaseDocument.objects.filter(case=case, revision=1).values_list("name", flat=True)
    ) == {"ktp"}
    [kept] = stored_files() - files  # the identical photo's copy was not kept
    stored = CaseDocument.objects.get(case=case, revision=1).storage_name
    assert str(kept).endswith(stored)


def test_changes_since_return_lists_fields_old_to_new_and_replaced_documents(demo):
    case = _apply()
    _return(case, checklist=KTP_WRONG, requested_fields=["alamat_usaha"])
    assert revision.changes_since_return(case) is None
    services.resubmit(
        case_id=case.pk,
        data={"alamat_usaha": "Jl. Melati No. 7", "modal_usaha": "25000000"},
        documents={"ktp": _ktp("KTP utuh")},
    )
    case.refresh_from_db()
    changes = revision.changes_since_return(case)
    assert changes is not None
    assert [(c.name, c.before, c.after) for c in changes.fields] == [
        ("alamat_usaha", "Jl. Melati No. 5, Kota Contoh", "Jl. Melati No. 7")
    ]
    [ktp] = changes.documents
    assert ktp.name == "ktp" and ktp.document.revision == 1
    assert ktp.previous is not None and ktp.previous.revision == 0
    assert changes.requested == revision.Requested(("ktp",), ("alamat_usaha",))
    assert changes.unanswered == []


def test_earlier_values_are_stored_encrypted(demo):
    case = _apply()
    _return(case, requested_fields=["alamat_usaha"])
    services.resubmit(case_id=case.pk, data={"alamat_usaha": "Jl. Rahasia 9"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM cases_caserevision")
        [(raw,)] = cursor.fetchall()
    assert "Rahasia" not in raw and "Melati" not in raw


@pytest.mark.parametrize(
    ("checklist", "fields", "decision", "field"),
    [
        ({"kk": {"verdict": "sesuai"}}, [], "return", "checklist.kk"),
        ({"ktp": {"verdict": "ok"}}, [], "return", "checklist.ktp"),
        ({"ktp": {"verdict": "tidak_sesuai", "note": "  "}}, [], "return", "checklist.ktp"),
        ({"ktp": {"verdict": "sesuai", "note": "x" * 501}}, [], "return", "checklist.ktp"),
        (KTP_WRONG, [], "approve", "checklist.ktp"),
        ({}, ["no_such_field"], "return", "requested_fields"),
        ({}, ["alamat_usaha"], "approve", "requested_fields"),
    ],
)
def test_a_bad_checklist_is_refused_and_the_task_stays_open(
    demo, checklist, fields, decision, field
):
    case = _apply()
    task = _task(case)
    with pytest.raises(ValidationError) as refused:
        services.decide(
            task_id=task.pk,
            officer=officer("andi"),
            decision=decision,
            reason=REASON,
            checklist=checklist,
            requested_fields=fields,
        )
    assert refused.value.field == field
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_note_of_exactly_the_limit_is_kept(demo):
    case = _apply()
    note = "x" * revision.NOTE_MAX
    event = services.decide(
        task_id=_task(case).pk,
        officer=officer("andi"),
        decision="approve",
        checklist={"ktp": {"verdict": "sesuai", "note": note}},
    )
    assert event.payload["checklist"]["ktp"]["note"] == note
    assert "requested" not in event.payload


# -- through the API ---------------------------------------------------------------------


def test_api_unchanged_resubmission_is_a_documented_nothing_changed_problem(
    demo, client, token_for
):
    receipt = post_application(client).json()
    number, code = receipt["tracking_number"], receipt["access_code"]
    task = Task.objects.get(case__tracking_number=number, status=TaskStatus.OPEN)
    decided = client.post(
        f"/api/v1/tasks/{task.pk}/decision",
        json.dumps({"decision": "return", "reason": REASON, "checklist": KTP_WRONG}),
        content_type="application/json",
        headers=token_for("andi"),
    )
    assert decided.status_code == 200, decided.content
    status = client.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": code}).json()
    assert status["open_request"]["requested_documents"] == ["ktp"]

    refused = client.post(
        f"/api/v1/applications/{number}/resubmit",
        {"data": json.dumps({"nama_usaha": "Warung Sri"})},
        headers={"X-Access-Code": code},
    )
    assert refused.status_code == 422, refused.content
    body = refused.json()
    assert body["type"].endswith("/api/problems/nothing_changed")
    assert body["field"] == "documents.ktp"
    assert client.get("/api/problems/nothing_changed").status_code == 200
    assert Case.objects.get(tracking_number=number).status == CaseStatus.AWAITING_APPLICANT
