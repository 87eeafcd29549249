"""RFC 3161 timestamps on every signature (PAdES B-T) from a real TSA on loopback, and
the CA's OCSP/CRL answers embedded (B-LT) when its certificate names them."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from loket.documents import demo_pki, signing
from loket.documents.services import issue_certificate, read_stored

AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
FIELDS = [("Nomor permohonan", "IUM-2026-000123"), ("Nama pemohon", "Sri Wahyuni")]


def _issue(org, make_case):
    return issue_certificate(
        case=make_case(), fields=FIELDS, officer=org["Budi Santoso"], position=org["kabid"], at=AT
    )


@pytest.mark.django_db
def test_a_key_file_signature_carries_a_trusted_timestamp(
    settings, test_pki, org, make_case, storage_dir
):
    settings.LOKET_SIGNING_TSA_URL = test_pki.tsa_url
    settings.LOKET_SIGNING_TRUST_ROOTS = [
        str(demo_pki.root_certificate_path()),
        str(test_pki.root_path),
    ]
    before = dt.datetime.now(dt.UTC)

    report = signing.validate_pdf_signature(read_stored(_issue(org, make_case).pdf))

    assert report.is_ok, report.problem
    [check] = report.signatures
    assert check.is_timestamp_trusted and check.outlives_certificate
    assert check.timestamped_at is not None
    assert before - dt.timedelta(seconds=5) <= check.timestamped_at <= dt.datetime.now(dt.UTC)


@pytest.mark.django_db
def test_a_timestamp_from_an_untrusted_authority_is_not_trusted(
    settings, test_pki, org, make_case, storage_dir
):
    settings.LOKET_SIGNING_TSA_URL = test_pki.tsa_url
    settings.LOKET_SIGNING_TRUST_ROOTS = [
        str(demo_pki.root_certificate_path()),
        str(test_pki.root_path),
    ]
    document = _issue(org, make_case)

    # A verifier who trusts the agency's CA but not this timestamp authority.
    report = signing.validate_pdf_signature(
        read_stored(document.pdf), trust_roots=signing.configured_trust_roots()[:1]
    )
    [check] = report.signatures
    assert check.timestamped_at is not None
    assert not check.outlives_certificate


@pytest.mark.django_db
def test_a_ca_issued_key_embeds_its_revocation_answers_for_long_term_validation(
    settings, test_pki, org, make_case, storage_dir
):
    settings.LOKET_SIGNING_TSA_URL = test_pki.tsa_url
    settings.LOKET_SIGNING_PKCS12 = str(test_pki.signer_pkcs12)
    settings.LOKET_SIGNING_PKCS12_PASSWORD = test_pki.signer_password
    settings.LOKET_SIGNING_TRUST_ROOTS = [str(test_pki.root_path)]

    signed = read_stored(_issue(org, make_case).pdf)

    report = signing.validate_pdf_signature(signed)
    assert report.is_ok, report.problem
    assert report.signatures[0].outlives_certificate
    dss = PdfFileReader(io.BytesIO(signed)).root["/DSS"]
    assert len(dss["/OCSPs"]) >= 1 or len(dss["/CRLs"]) >= 1
    assert len(dss["/Certs"]) >= 1


@pytest.mark.django_db
def test_an_unreachable_timestamp_authority_fails_as_signing_unavailable(
    settings, org, make_case, storage_dir
):
    settings.LOKET_SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nobody answers
    with pytest.raises(signing.SigningUnavailable):
        _issue(org, make_case)


def test_without_a_timestamp_authority_the_signature_is_b_b(settings, db):
    settings.LOKET_SIGNING_TSA_URL = ""
    with signing.agency_signer("kota-contoh", "Pemerintah Kota Contoh") as signer:
        assert signer.timestamper is None
