"""The ``csc`` signer kind against a real CSC v1 server (certomancer-csc-dummy) on
loopback: a licence signed remotely, timestamped, validates; a service that
refuses leaves the licence to be issued later."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from loket.documents import signing
from loket.documents.services import issue_certificate, read_stored

AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
FIELDS = [("Nomor permohonan", "IUM-2026-000123"), ("Nama pemohon", "Sri Wahyuni")]

pytestmark = pytest.mark.django_db


@pytest.fixture
def csc_signing(settings, test_pki, csc_service):
    url, credential = csc_service
    settings.LOKET_SIGNING_AGENCY_SIGNERS = {"kota-contoh": "csc"}
    settings.LOKET_SIGNING_CSC_URL = url
    settings.LOKET_SIGNING_CSC_CREDENTIAL = credential
    settings.LOKET_SIGNING_TSA_URL = test_pki.tsa_url
    settings.LOKET_SIGNING_TRUST_ROOTS = [str(test_pki.root_path)]
    return settings


def _issue(org, make_case):
    return issue_certificate(
        case=make_case(), fields=FIELDS, officer=org["Budi Santoso"], position=org["kabid"], at=AT
    )


def test_a_licence_signed_by_the_remote_service_validates_with_its_timestamp(
    csc_signing, org, make_case, storage_dir
):
    document = _issue(org, make_case)

    report = signing.validate_pdf_signature(read_stored(document.pdf))
    assert report.is_ok, report.problem
    [check] = report.signatures
    assert check.signer == "Kepala Dinas PTSP Kota Contoh (uji)"
    assert check.outlives_certificate


def test_an_unknown_credential_fails_as_signing_unavailable(
    csc_signing, org, make_case, storage_dir
):
    csc_signing.LOKET_SIGNING_CSC_CREDENTIAL = "loket-test/no-such-key"
    with pytest.raises(signing.SigningUnavailable):
        _issue(org, make_case)
