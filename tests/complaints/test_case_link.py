"""A complaint about an application shows on that case: to its officers and its applicant."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.cases import services as case_services
from loket.cases.intake import Applicant
from loket.cases.models import Task, TaskStatus
from tests.complaints.conftest import file
from tests.documents.samples import pdf_bytes, png_bytes
from tests.workspace.conftest import NIK, iu_data

pytestmark = pytest.mark.django_db

TEXT = "Petugas verifikasi meminta uang pelicin untuk izin saya."


def _application() -> Any:
    return case_services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id", language="id"),
        data=iu_data(),
        documents={
            "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf"),
            "foto_lokasi": SimpleUploadedFile("l.png", png_bytes(), content_type="image/png"),
        },
    )


def test_complaint_about_a_case_shows_to_applicant_and_officers(
    demo: Any, officer_client: Any
) -> None:
    submission = _application()
    case = submission.case
    complaint = file(
        subject="case",
        case_tracking_number=case.tracking_number,
        case_access_code=submission.access_code,
        description=TEXT,
    ).complaint
    assert complaint.case_id == case.pk
    applicant = Client()
    applicant.post(
        "/lacak/", {"tracking_number": case.tracking_number, "access_code": submission.access_code}
    )
    page = applicant.get(f"/lacak/{case.tracking_number}/").content.decode()
    assert complaint.tracking_number in page
    task = Task.objects.get(case=case, status=TaskStatus.OPEN)
    holder = task.position.appointments.first().officer.user.username
    officer_page = officer_client(holder).get(f"/workspace/tasks/{task.pk}/").content.decode()
    assert complaint.tracking_number in officer_page
    assert TEXT not in officer_page  # the case's officers learn that, not what


def test_a_stranger_cannot_attach_a_complaint_to_someone_elses_case(demo: Any) -> None:
    from loket.core.errors import ValidationError

    case = _application().case
    with pytest.raises(ValidationError) as refused:
        file(subject="case", case_tracking_number=case.tracking_number, case_access_code="AAAAAAAA")
    assert refused.value.field == "case_tracking_number"
