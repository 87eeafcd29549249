"""A private demo PKI: a root CA and one signing certificate per agency.

Made on first use under ``DATA_DIR/pki/`` and reused thereafter, so a demo
install can sign certificates that validate against "Loket Demo Root CA".
It is for demonstration and tests only: production loads the agency's real
certificate from a PKCS#12 file or a PKCS#11 token (docs/documents.md).
Private keys are written with mode 0600; a file lock keeps two processes that
start at once from making two different CAs.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

ROOT_NAME = "Loket Demo Root CA"
KEY_BITS = 3072
ROOT_VALID_DAYS = 20 * 365
SIGNER_VALID_DAYS = 5 * 365
# Adobe's "document signing" extended key usage, which PDF readers look for.
ADOBE_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.2.840.113583.1.1.5")


@dataclass(frozen=True)
class DemoSignerFiles:
    key_path: Path  # PEM, unencrypted, mode 0600
    cert_path: Path  # PEM
    root_cert_path: Path  # PEM


def pki_dir() -> Path:
    return Path(settings.DATA_DIR) / "pki"


def root_certificate_path() -> Path:
    """The demo root CA certificate (made if missing)."""
    with _locked():
        return _ensure_root()[1]


def ensure_agency_signer(agency_code: str, agency_name: str) -> DemoSignerFiles:
    """Return the agency's demo signing key and certificate, making them on first use."""
    safe_code = re.sub(r"[^a-z0-9-]", "-", agency_code.lower()) or "agency"
    with _locked():
        root_key_path, root_cert_path = _ensure_root()
        directory = pki_dir() / "agencies" / safe_code
        key_path, cert_path = directory / "signer.key", directory / "signer.pem"
        root_cert = x509.load_pem_x509_certificate(root_cert_path.read_bytes())
        if not _issued_by(key_path, cert_path, root_cert):
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            root_key = _load_key(root_key_path)
            key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
            cert = _signer_certificate(key, agency_name, root_key, root_cert)
            _write_private(key_path, _pem_key(key))
            _write_public(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return DemoSignerFiles(key_path, cert_path, root_cert_path)


# -- internals --------------------------------------------------------------


class _locked:  # noqa: N801 (used like a function: `with _locked():`)
    """An exclusive lock on DATA_DIR/pki/.lock for the duration of a `with`."""

    def __enter__(self) -> None:
        directory = pki_dir()
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._handle = open(directory / ".lock", "a+b")
        fcntl.flock(self._handle, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()


def _ensure_root() -> tuple[Path, Path]:
    key_path, cert_path = pki_dir() / "root-ca.key", pki_dir() / "root-ca.pem"
    if key_path.exists() and cert_path.exists():
        return key_path, cert_path
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Loket Demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME),
        ]
    )
    now = _now()
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=ROOT_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_path, _pem_key(key))
    _write_public(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _signer_certificate(
    key: rsa.RSAPrivateKey,
    agency_name: str,
    root_key: CertificateIssuerPrivateKeyTypes,
    root_cert: x509.Certificate,
) -> x509.Certificate:
    now = _now()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name[:64] or "Agency"),
            x509.NameAttribute(NameOID.COMMON_NAME, agency_name[:64] or "Agency"),
        ]
    )
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(root_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SIGNER_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ADOBE_DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )


def _issued_by(key_path: Path, cert_path: Path, root_cert: x509.Certificate) -> bool:
    """Whether an existing agency certificate is usable: present and issued by this root."""
    if not (key_path.exists() and cert_path.exists()):
        return False
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    try:
        cert.verify_directly_issued_by(root_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False  # the root was replaced: make a new agency certificate
    return cert.not_valid_after_utc > _now() + dt.timedelta(days=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_key(path: Path) -> CertificateIssuerPrivateKeyTypes:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _write_private(path: Path, data: bytes) -> None:
    # Write to a 0600 temporary file then rename, so no reader ever sees half a key.
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _write_public(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
