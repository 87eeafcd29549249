"""Fixtures for the officer workspace: the demo agency, applications, signed-in officers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from loket.cases import services
from loket.cases.intake import Applicant
from loket.cases.models import Case, Task, TaskStatus
from loket.org.models import Officer
from loket.workspace.otp import confirmed_devices
from tests.documents.samples import pdf_bytes, png_bytes

NIK = "3273055504900003"  # Kota Bandung, a woman born 15-04-1990


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def officer(username: str) -> Officer:
    return Officer.objects.select_related("user").get(user__username=username)


def iu_data(**overrides: Any) -> dict[str, Any]:
    return {
        "nama_usaha": "Warung Bu Sri",
        "bidang_usaha": "kuliner",
        "alamat_usaha": "Jl. Melati No. 5, Kota Contoh",
        "modal_usaha": 25_000_000,
        "hasil_penjualan_tahunan": 150_000_000,
        **overrides,
    }


def apply(name: str = "Sri Wahyuni", **data: Any) -> Case:
    """Submit an izin-usaha-mikro application through the engine, with a PDF and a PNG."""
    submission = services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name=name, nik=NIK, email="sri@example.id", language="id"),
        data=iu_data(**data),
        documents={
            "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf"),
            "foto_lokasi": SimpleUploadedFile("lokasi.png", png_bytes(), content_type="image/png"),
        },
    )
    return submission.case


def open_task(case: Case) -> Task:
    return Task.objects.get(case=case, status=TaskStatus.OPEN)


@pytest.fixture
def signed_in() -> Callable[[str], Client]:
    """A test client signed in as the demo officer with password and second factor."""

    def make(username: str) -> Client:
        client = Client()
        user = officer(username).user
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = confirmed_devices(user)[0].persistent_id
        session.save()
        return client

    return make
