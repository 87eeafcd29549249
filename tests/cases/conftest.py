"""Fixtures for the case engine: the demo agency with its published services."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from loket.org.models import Officer
from tests.documents.samples import pdf_bytes, png_bytes

# A valid NIK: Kota Bandung (32 73 05), a woman born 15-04-1990 (15 + 40 = 55), serial 0003.
NIK = "3273055504900003"


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    # The demo creates a dozen accounts; a real password hash for each is slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def officer(username: str) -> Officer:
    return Officer.objects.get(user__username=username)


def iu_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "nama_usaha": "Warung Bu Sri",
        "bidang_usaha": "kuliner",
        "alamat_usaha": "Jl. Melati No. 5, Kota Contoh",
        "modal_usaha": 25_000_000,
        "hasil_penjualan_tahunan": 150_000_000,
    }
    data.update(overrides)
    return data


def iu_documents() -> dict[str, SimpleUploadedFile]:
    return {
        "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf"),
        "foto_lokasi": SimpleUploadedFile("lokasi.png", png_bytes(), content_type="image/png"),
    }


def stored_files() -> set[Any]:
    """Every file in the default storage (uploads and issued documents), as paths."""
    from pathlib import Path

    from django.core.files.storage import default_storage

    root = Path(default_storage.location)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def submit_iu() -> Any:
    """Sri's application for the demo's `izin-usaha-mikro`, through the engine's own
    operation (the case, at the front office's task)."""
    from loket.cases import services
    from loket.cases.intake import Applicant

    return services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data=iu_data(),
        documents=iu_documents(),
    ).case


def post_application(
    client: Client,
    service: str = "izin-usaha-mikro",
    data: dict[str, Any] | None = None,
    documents: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **fields: str,
) -> Any:
    body: dict[str, Any] = {
        "service": service,
        "applicant_name": "Sri Wahyuni",
        "nik": NIK,
        "email": "sri@example.id",
        "phone": "081234567890",
        "language": "id",
        "data": json.dumps(iu_data() if data is None else data),
    }
    body.update(fields)
    for name, upload in (iu_documents() if documents is None else documents).items():
        body[f"documents.{name}"] = upload
    return client.post("/api/v1/applications", body, headers=headers or {})


@pytest.fixture
def token_for(client: Client) -> Callable[[str], dict[str, str]]:
    """Bearer headers for a demo officer (password + current TOTP code), one token per test."""
    from loket.demo.agency import DEMO_PASSWORD
    from loket.workspace.otp import code_for, confirmed_devices

    tokens: dict[str, dict[str, str]] = {}

    def make(username: str) -> dict[str, str]:
        if username in tokens:
            return tokens[username]
        user = Officer.objects.get(user__username=username).user
        devices = confirmed_devices(user)
        otp = code_for(devices[0]) if devices else ""
        response = client.post(
            "/api/v1/auth/token",
            {"username": username, "password": DEMO_PASSWORD, "otp": otp},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        tokens[username] = {"Authorization": f"Bearer {response.json()['token']}"}
        return tokens[username]

    return make


def working_monday(hour: int = 9) -> dt.datetime:
    """A Monday morning in office hours that is not a holiday (2026-03-02)."""
    return timezone.make_aware(dt.datetime(2026, 3, 2, hour, 0))
