"""Fixtures for the applicant portal: the demo agency, and helpers to fill in its forms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.cases.models import Case
from loket.org.models import Officer
from tests.documents.samples import pdf_bytes, png_bytes

# Kota Bandung (32 73 05), a woman born 15-04-1990, serial 0003.
NIK = "3273055504900003"
APPLY = "/layanan/izin-usaha-mikro/ajukan/"
REVIEW = "/layanan/izin-usaha-mikro/ajukan/periksa/"


@pytest.fixture(autouse=True)
def _portal_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "id"
    cache.clear()  # the track form's failure counters live in the cache


def ktp() -> SimpleUploadedFile:
    return SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf")


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("lokasi.png", png_bytes(), content_type="image/png")


def application(**overrides: Any) -> dict[str, Any]:
    """A complete, valid post of the izin-usaha-mikro form (documents included)."""
    body: dict[str, Any] = {
        "applicant_name": "Sri Wahyuni",
        "applicant_nik": NIK,
        "applicant_email": "sri@example.id",
        "applicant_phone": "0812 3456 7890",
        "data_nama_usaha": "Warung Bu Sri",
        "data_bidang_usaha": "kuliner",
        "data_alamat_usaha": "Jl. Melati No. 5, Kota Contoh",
        "data_modal_usaha": "25000000",
        "data_hasil_penjualan_tahunan": "150000000",
        "doc_ktp": ktp(),
        "doc_foto_lokasi": photo(),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def submit(client: Client, **overrides: Any) -> tuple[Case, str]:
    """Fill in, review and confirm an application; (case, access code from the receipt)."""
    response = client.post(APPLY, application(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    review = client.get(REVIEW)
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', review.content.decode())
    assert key is not None
    confirmed = client.post(REVIEW, {"idempotency_key": key.group(1)})
    assert confirmed.status_code == 302, confirmed.content.decode()[:3000]
    receipt = client.get(confirmed["Location"])
    code = re.search(r'data-testid="access-code">([A-Z0-9]{8})<', receipt.content.decode())
    assert code is not None
    case = Case.objects.get(tracking_number=confirmed["Location"].split("/")[2])
    return case, code.group(1)


def officer(username: str) -> Officer:
    return Officer.objects.get(user__username=username)


def publish_computed_fee_reklame() -> None:
    """Publish izin-reklame with its tax formula as a computed *fee*: none of the demo
    services has one since pajak reklame became a payment step, and the fee pages
    still need a formula to explain."""
    from django.conf import settings

    from loket.catalog.services import publish_text

    text = (settings.LOKET_SERVICES_DIR / "izin-reklame.yaml").read_text(encoding="utf-8")
    formula = (
        "double(tables.kelas_lokasi.tarif_per_m2_bulan) * data.panjang_m * data.lebar_m"
        " * double(data.jumlah_sisi) * double(data.durasi_bulan)"
    )
    assert "fee:\n  amount: 0\n" in text
    publish_text(text.replace("fee:\n  amount: 0\n", f"fee:\n  expression: >-\n    {formula}\n"))
