"""A real SoftHSM2 token for the signing tests: initialised in a temporary directory,
with an RSA key generated inside it (never extractable) and a certificate from a
throw-away CA stored next to it, as an agency's HSM holds its BSrE certificate."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "loket-kota-contoh"
KEY_LABEL = "penandatangan"
USER_PIN = "246810"
SO_PIN = "13579111"
SIGNER_NAME = "Kepala Dinas PTSP Kota Contoh (HSM)"


@dataclass(frozen=True)
class Token:
    module: str
    label: str
    key_label: str
    pin: str
    ca_path: Path


def ensure_installed() -> None:
    """Install SoftHSM2 when missing (as root), like scripts/ensure-chromium does."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "ensure-signing-tools"
    subprocess.run([str(script)], check=True)


def make_token(directory: Path) -> Token:
    """Initialise a fresh token under `directory` and fill it; sets SOFTHSM2_CONF.

    The PKCS#11 library reads SOFTHSM2_CONF once per process, so one token
    serves a whole test session.
    """
    ensure_installed()
    (directory / "tokens").mkdir(parents=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {directory / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL,
         "--so-pin", SO_PIN, "--pin", USER_PIN],
        check=True, capture_output=True,
    )  # fmt: skip
    ca_key, ca_cert = _ca()
    ca_path = directory / "ca.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    _fill_token(ca_key, ca_cert)
    return Token(MODULE, TOKEN_LABEL, KEY_LABEL, USER_PIN, ca_path)


def _fill_token(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate) -> None:
    import pkcs11
    from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass

    token = pkcs11.lib(MODULE).get_token(token_label=TOKEN_LABEL)
    with token.open(rw=True, user_pin=USER_PIN) as session:
        public, _private = session.generate_keypair(
            KeyType.RSA,
            2048,
            label=KEY_LABEL,
            id=b"\x01",
            store=True,
            private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
        )
        numbers = rsa.RSAPublicNumbers(
            int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"),
            int.from_bytes(public[Attribute.MODULUS], "big"),
        )
        cert = _signer_certificate(numbers.public_key(), ca_key, ca_cert)
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: KEY_LABEL,
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )


def _ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test HSM Root CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _signer_certificate(
    public: rsa.RSAPublicKey, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SIGNER_NAME)]))
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
