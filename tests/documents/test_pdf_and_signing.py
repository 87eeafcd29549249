"""Issued PDFs carry the required text and QR, and their PAdES signature validates."""

from __future__ import annotations

import io
import os
import stat
from datetime import date

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from loket.documents import demo_pki, signing
from loket.documents.pdf import CertificateContent, indonesian_date, render_certificate

URL = "http://127.0.0.1:8000/verify/0b7c5a8e-1111-4222-8333-444455556666"

# Opening an agency's signer reads its choice in the admin (documents.SignerChoice).
pytestmark = pytest.mark.django_db


def content(**overrides) -> CertificateContent:
    values = {
        "agency_name": "Pemerintah Kota Contoh",
        "unit_name": "Dinas Penanaman Modal dan PTSP",
        "agency_address": "Jalan Merdeka No. 1",
        "document_type": "Izin Usaha Mikro",
        "number": "503/0001/IUM/DPMPTSP/2026",
        "applicant_fields": [("Nama usaha", "Warung Bu Sri & <Anak>"), ("Bidang usaha", "Kuliner")],
        "decision": "Memberikan Izin Usaha Mikro kepada pemohon tersebut di atas.",
        "place": "Kota Contoh",
        "issued_on": date(2026, 11, 23),
        "position_title": "Kepala Dinas",
        "officer_name": "Siti Rahmawati",
        "officer_nip": "198001012005012001",
        "verification_url": URL,
        "capacity": "plt",
        "signature_issuer": "Loket Demo Root CA",
    }
    return CertificateContent(**values | overrides)


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


@pytest.mark.parametrize(
    ("day", "shown"),
    [(date(2026, 11, 23), "23 November 2026"), (date(2027, 1, 5), "5 Januari 2027"),
     (date(2026, 8, 17), "17 Agustus 2026")],
)  # fmt: skip
def test_dates_are_written_the_indonesian_way(day, shown):
    assert indonesian_date(day) == shown


def test_the_certificate_shows_letterhead_number_data_signer_and_notice():
    text = text_of(render_certificate(content()))
    for expected in [
        "PEMERINTAH KOTA CONTOH",
        "DINAS PENANAMAN MODAL DAN PTSP",
        "IZIN USAHA MIKRO",
        "Nomor: 503/0001/IUM/DPMPTSP/2026",
        "Warung Bu Sri & <Anak>",
        "Kota Contoh, 23 November 2026",
        "Plt. Kepala Dinas",
        "Siti Rahmawati",
        "NIP. 198001012005012001",
        "Dokumen ini ditandatangani secara elektronik",
        URL,
    ]:
        assert expected in text


def test_the_certificate_is_a4_and_rendering_is_deterministic():
    first, second = render_certificate(content()), render_certificate(content())
    assert first == second
    box = PdfReader(io.BytesIO(first)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_the_qr_code_encodes_the_verification_url():
    import segno

    from loket.documents.tagged import QR_MASK
    from tests.verify.test_qr_and_tampering import decode_qr_codes

    assert decode_qr_codes(render_certificate(content())) == [URL]
    # The mask is fixed (no scoring of all eight); the data and error level are the URL's.
    assert segno.make(URL, error="m", micro=False, mask=QR_MASK).mask == QR_MASK


@pytest.fixture
def demo_signer():
    with signing.agency_signer("kota-contoh", "Pemerintah Kota Contoh") as signer:
        yield signer


def sign(signer, pdf: bytes | None = None) -> bytes:
    return signing.sign_pdf(
        pdf or render_certificate(content()),
        signer=signer,
        reason="Penerbitan",
        location="Kota Contoh",
    )


def test_a_signed_certificate_validates_against_the_agency_ca(demo_signer):
    report = signing.validate_pdf_signature(sign(demo_signer), demo_signer.trust_roots)
    assert report.is_ok, report.problem
    (check,) = report.signatures
    assert check.signer == "Pemerintah Kota Contoh"
    assert check.issuer == demo_pki.ROOT_NAME
    assert check.is_trusted and check.covers_whole_file


def test_the_signature_is_pades(demo_signer):
    signed = PdfReader(io.BytesIO(sign(demo_signer)))
    field = signed.get_fields()["Signature"]
    assert field.value["/SubFilter"] == "/ETSI.CAdES.detached"


def test_a_byte_changed_in_the_signed_range_invalidates_the_signature(demo_signer):
    signed = bytearray(sign(demo_signer))
    signed[len(signed) // 4] ^= 0x01
    report = signing.validate_pdf_signature(bytes(signed), demo_signer.trust_roots)
    assert not report.is_ok
    assert report.problem in {
        "The PDF was changed after it was signed.",
        "The file is not a readable PDF.",
    }


def test_a_signature_from_an_untrusted_ca_is_not_trusted(demo_signer):
    report = signing.validate_pdf_signature(sign(demo_signer), trust_roots=[])
    assert not report.is_ok
    assert report.problem == "The signing certificate is not issued by a trusted authority."


def test_content_appended_after_signing_is_reported(demo_signer):
    from pyhanko.pdf_utils.generic import pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(sign(demo_signer)))
    writer.root["/Lang"] = pdf_string("id")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    report = signing.validate_pdf_signature(out.getvalue(), demo_signer.trust_roots)
    assert not report.is_ok


def test_unsigned_and_garbage_files_get_a_plain_answer(demo_signer):
    unsigned = signing.validate_pdf_signature(
        render_certificate(content()), demo_signer.trust_roots
    )
    assert unsigned.problem == "The PDF carries no electronic signature."
    garbage = signing.validate_pdf_signature(b"%PDF-1.7 nonsense", demo_signer.trust_roots)
    assert garbage.problem == "The file is not a readable PDF."


def test_demo_keys_are_private_and_reused(demo_signer):
    files = demo_pki.ensure_agency_signer("kota-contoh", "Pemerintah Kota Contoh")
    for key in (files.key_path, demo_pki.pki_dir() / "root-ca.key"):
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    again = demo_pki.ensure_agency_signer("kota-contoh", "Pemerintah Kota Contoh")
    assert again.cert_path.read_bytes() == files.cert_path.read_bytes()
    cert = x509.load_pem_x509_certificate(files.cert_path.read_bytes())
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign


@pytest.fixture
def pkcs12_file(tmp_path, demo_signer):
    files = demo_pki.ensure_agency_signer("kota-contoh", "Pemerintah Kota Contoh")
    key = serialization.load_pem_private_key(files.key_path.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(files.cert_path.read_bytes())
    root = x509.load_pem_x509_certificate(files.root_cert_path.read_bytes())
    path = tmp_path / "kota-contoh.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"agency", key, cert, [root], serialization.BestAvailableEncryption(b"s3cret")
        )
    )
    return path, files.root_cert_path


def test_a_pkcs12_file_signs_when_configured(settings, pkcs12_file):
    path, root = pkcs12_file
    settings.LOKET_SIGNING_PKCS12 = str(path.parent / "{agency}.p12")
    settings.LOKET_SIGNING_PKCS12_PASSWORD = "s3cret"
    settings.LOKET_SIGNING_TRUST_ROOTS = str(root)
    with signing.agency_signer("kota-contoh", "ignored") as signer:
        assert signer.source == "pkcs12"
        signed = sign(signer)
    assert signing.validate_pdf_signature(signed).is_ok


def test_a_wrong_pkcs12_password_is_a_clear_configuration_error(settings, pkcs12_file):
    path, root = pkcs12_file
    settings.LOKET_SIGNING_PKCS12 = str(path)
    settings.LOKET_SIGNING_PKCS12_PASSWORD = "wrong"
    settings.LOKET_SIGNING_TRUST_ROOTS = str(root)
    with (
        pytest.raises(ImproperlyConfigured, match="cannot be opened"),
        signing.agency_signer("kota-contoh", "x"),
    ):
        pass


def test_production_signing_without_trust_roots_is_refused(settings, pkcs12_file):
    path, _root = pkcs12_file
    settings.LOKET_SIGNING_PKCS12 = str(path)
    settings.LOKET_SIGNING_PKCS12_PASSWORD = "s3cret"
    settings.LOKET_SIGNING_TRUST_ROOTS = ""
    with (
        pytest.raises(ImproperlyConfigured, match="LOKET_SIGNING_TRUST_ROOTS"),
        signing.agency_signer("kota-contoh", "x"),
    ):
        pass
