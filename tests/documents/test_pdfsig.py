"""A second, independent validator: poppler's pdfsig finds the licence signed through
each kind of signer intact and cryptographically valid (trust is pyHanko's part:
pdfsig trusts only its NSS store, which does not hold the test CAs)."""

from __future__ import annotations

import datetime as dt
import subprocess
from zoneinfo import ZoneInfo

import pytest

from loket.documents.services import issue_certificate, read_stored
from tests.documents.softhsm import ensure_installed

AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
FIELDS = [("Nomor permohonan", "IUM-2026-000123"), ("Nama pemohon", "Sri Wahyuni")]

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["keyfile", "pkcs11", "csc"])
def signer_kind(request, settings, test_pki):
    settings.LOKET_SIGNING_AGENCY_SIGNERS = {"kota-contoh": request.param}
    settings.LOKET_SIGNING_TSA_URL = test_pki.tsa_url
    if request.param == "pkcs11":
        request.getfixturevalue("hsm_signing")
    if request.param == "csc":
        url, credential = request.getfixturevalue("csc_service")
        settings.LOKET_SIGNING_CSC_URL = url
        settings.LOKET_SIGNING_CSC_CREDENTIAL = credential
        settings.LOKET_SIGNING_TRUST_ROOTS = [str(test_pki.root_path)]
    if request.param == "keyfile":
        request.getfixturevalue("tsa_signing")
    return request.param


def test_pdfsig_finds_the_licence_validly_signed_through_each_signer(
    signer_kind, org, make_case, storage_dir, tmp_path
):
    ensure_installed()
    document = issue_certificate(
        case=make_case(), fields=FIELDS, officer=org["Budi Santoso"], position=org["kabid"], at=AT
    )
    pdf = tmp_path / "izin.pdf"
    pdf.write_bytes(read_stored(document.pdf))

    result = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False)

    assert "Signature Validation: Signature is Valid." in result.stdout, result.stdout
    assert "Signed Ranges" in result.stdout
