"""The applicant's side of a return: the requested items marked, an unchanged revision
refused with the message on the field, and the reason shown once in the timeline."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.cases import services
from loket.cases.models import Case, CaseStatus, TaskStatus
from tests.documents.samples import pdf_bytes
from tests.portal.conftest import officer, submit

pytestmark = pytest.mark.django_db

REASON = "KTP terpotong, unggah KTP utuh."


def _return(case: Case, **review: object) -> None:
    task = case.tasks.get(step_id="verifikasi-berkas", status=TaskStatus.OPEN)
    services.decide(
        task_id=task.pk, officer=officer("andi"), decision="return", reason=REASON, **review
    )


def test_requested_document_and_field_are_marked_with_the_officers_note(demo, client):
    case, _code = submit(client)
    _return(
        case,
        checklist={"ktp": {"verdict": "tidak_sesuai", "note": "Bagian bawah KTP terpotong."}},
        requested_fields=["alamat_usaha"],
    )
    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()
    summary = page.split('data-testid="requested-items"')[1].split("</div>")[0]
    assert "KTP pemilik usaha" in summary and "Bagian bawah KTP terpotong." in summary
    assert "Alamat tempat usaha" in summary
    assert 'data-testid="requested-doc_ktp"' in page
    assert 'data-testid="requested-data_alamat_usaha"' in page
    assert 'data-testid="requested-doc_foto_lokasi"' not in page


def test_unchanged_revision_is_refused_on_the_requested_field_and_keeps_what_was_typed(
    demo, client
):
    case, _code = submit(client)
    _return(case, checklist={"ktp": {"verdict": "tidak_sesuai", "note": "Terpotong."}})
    response = client.post(
        f"/lacak/{case.tracking_number}/perbaikan/",
        {
            "data_nama_usaha": "Warung Sri Rejeki",
            "doc_ktp": SimpleUploadedFile("k.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_doc_ktp_error"' in page
    assert "tidak mengubah yang diminta petugas" in page
    assert 'value="Warung Sri Rejeki"' in page  # what was typed comes back
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPLICANT and case.revision == 0


def test_the_return_reason_shows_once_in_the_timeline(demo, client):
    case, _code = submit(client)
    _return(case)
    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()
    timeline = page.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert timeline.count(REASON) == 1
