"""An application's uploads are on disk before the transaction that records them commits:
the applicant is told "received" only for files a power cut cannot take back."""

from __future__ import annotations

import os

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.cases import services
from loket.cases.intake import Applicant
from loket.cases.models import CaseDocument
from tests.cases.conftest import NIK, iu_data
from tests.documents.samples import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


def test_a_submissions_uploads_are_synced_before_it_returns(demo, monkeypatch):
    from loket.core import storage

    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(storage.os, "fsync", fsync)
    case = services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data=iu_data(),
        documents={
            "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf"),
            "foto_lokasi": SimpleUploadedFile("lokasi.png", png_bytes(), content_type="image/png"),
        },
    ).case
    stored = [default_storage.path(d.storage_name) for d in CaseDocument.objects.filter(case=case)]
    assert len(stored) == 2
    # Synced by the engine's own step (its transaction commits when submit returns).
    for path in stored:
        assert path in synced
        assert os.path.dirname(path) in synced
