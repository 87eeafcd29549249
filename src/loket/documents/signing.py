"""PAdES signatures on issued documents, and their validation.

Every signer sits behind one interface: a registered *kind* opens an
`AgencySigner` for an agency. The kind is chosen per agency in the admin
(*Agency signers*, tested before it is saved), else by
``LOKET_SIGNING_AGENCY_SIGNERS`` (``{"kota-contoh": "pkcs11"}``, or in the
environment ``kota-contoh=pkcs11,kab-lain=keyfile``), else by
``LOKET_SIGNING_SIGNER``, else ``pkcs11`` when a PKCS#11 module is configured
and ``keyfile`` otherwise. The kinds:

- ``pkcs11``: a PKCS#11 token (HSM, smart card, or the BSrE token), from
  ``LOKET_SIGNING_PKCS11_MODULE`` with ``LOKET_SIGNING_PKCS11_TOKEN`` (token
  label), ``LOKET_SIGNING_PKCS11_KEY`` (key label), optionally
  ``LOKET_SIGNING_PKCS11_CERT`` (certificate label, default the key label);
  ``{agency}`` in a label is replaced by the agency code. The PIN comes from
  the environment variable ``LOKET_SIGNING_PKCS11_PIN`` only.
- ``keyfile``: ``LOKET_SIGNING_PKCS12``, a PKCS#12 file (``{agency}`` in the
  path is replaced by the agency code) with ``LOKET_SIGNING_PKCS12_PASSWORD``;
  without one, the demo PKI (`loket.documents.demo_pki`), made on first use.
- ``csc``: a remote signing service over the Cloud Signature Consortium API
  (`loket.documents.csc`).

``LOKET_SIGNING_CA_CHAIN`` (comma-separated PEM/DER files) adds intermediate
certificates to embed; ``LOKET_SIGNING_TRUST_ROOTS`` names the CA certificates
validation trusts. With ``LOKET_SIGNING_TSA_URL`` every signature carries an
RFC 3161 timestamp from that authority (PAdES B-T); its CA certificate must
then be among the trust roots for the timestamp to be trusted.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature as pyhanko_validate
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathError
from pyhanko_certvalidator.errors import ValidationError as CertValidationError
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from loket.core.errors import LoketError
from loket.documents import demo_pki

SIGNATURE_FIELD = "Signature"


@dataclass
class AgencySigner:
    """A ready pyHanko signer with the certificates that validate it."""

    signer: signers.Signer
    trust_roots: list[asn1_x509.Certificate]
    source: str  # "demo" | "pkcs12" | "pkcs11" | "csc"
    # An RFC 3161 timestamp authority: each signature then carries a trusted time (B-T).
    timestamper: timestamps.TimeStamper | None = None
    # Remote signers (CSC) sign asynchronously within a session opened by this.
    async_session: Callable[[], AbstractAsyncContextManager[None]] | None = None

    @property
    def certificate(self) -> asn1_x509.Certificate:
        cert = self.signer.signing_cert
        assert cert is not None
        return cert

    @property
    def signer_name(self) -> str:
        return str(self.certificate.subject.native.get("common_name", ""))

    @property
    def issuer_name(self) -> str:
        return str(self.certificate.issuer.native.get("common_name", ""))


class SigningUnavailable(LoketError):
    """The agency's signer cannot sign now (token absent, wrong PIN, service down).

    Issuing raises it so the case engine parks the approved case at its issue
    step; the worker issues it again once the signer answers.
    """

    status = 503
    title = "Signing unavailable"


SignerKind = Callable[[str, str], AbstractContextManager[AgencySigner]]
SIGNER_KINDS: dict[str, SignerKind] = {}


def register(kind: str) -> Callable[[SignerKind], SignerKind]:
    """Register a signer kind: a context manager (agency code, name) -> AgencySigner."""

    def add(opener: SignerKind) -> SignerKind:
        SIGNER_KINDS[kind] = opener
        return opener

    return add


def signer_kind(agency_code: str) -> str:
    """The kind of signer configured for an agency: the admin's choice (SignerChoice),
    else the settings (see the module docstring)."""
    from loket.documents.models import SignerChoice

    chosen = (
        SignerChoice.objects.filter(agency__code=agency_code).values_list("kind", flat=True).first()
        or _setting_map("LOKET_SIGNING_AGENCY_SIGNERS").get(agency_code)
        or _setting("LOKET_SIGNING_SIGNER")
    )
    if chosen:
        if chosen not in SIGNER_KINDS:
            raise ImproperlyConfigured(
                f"signer kind {chosen!r} for {agency_code} is not one of {sorted(SIGNER_KINDS)}"
            )
        return chosen
    return "pkcs11" if _setting("LOKET_SIGNING_PKCS11_MODULE") else "keyfile"


def try_signer(kind: str, agency_code: str, agency_name: str) -> str:
    """Open a signer of `kind` for the agency and return its certificate's subject.

    What the admin runs before saving a choice, so a wrong module, label, URL or PIN
    is a message on the form and not a licence parked at approval. Raises one of
    `signer_failures()` (or KeyError for an unknown kind).
    """
    with SIGNER_KINDS[kind](agency_code, agency_name) as opened:
        return str(opened.certificate.subject.human_friendly)


@contextmanager
def agency_signer(agency_code: str, agency_name: str) -> Iterator[AgencySigner]:
    """Open the agency's signer; a token session or remote credential is closed on exit."""
    with SIGNER_KINDS[signer_kind(agency_code)](agency_code, agency_name) as opened:
        tsa_url = _setting("LOKET_SIGNING_TSA_URL")
        if tsa_url:
            opened = replace(opened, timestamper=timestamps.HTTPTimeStamper(tsa_url, timeout=10))
        yield opened


@register("keyfile")
@contextmanager
def _keyfile_signer(agency_code: str, agency_name: str) -> Iterator[AgencySigner]:
    pkcs12_path = _setting("LOKET_SIGNING_PKCS12")
    if pkcs12_path:
        yield _pkcs12_signer(pkcs12_path.replace("{agency}", agency_code))
    else:
        yield _demo_signer(agency_code, agency_name)


def signer_failures() -> tuple[type[BaseException], ...]:
    """The errors that mean "the signer could not sign now", whatever its kind."""
    # OSError covers an unreachable timestamp authority (TimestampRequestError); the
    # certvalidator errors, a TSA or CA chain the signer cannot validate for B-LT.
    failures: list[type[BaseException]] = [
        ImproperlyConfigured,
        SigningError,
        OSError,
        PathError,
        CertValidationError,
    ]
    try:
        from pkcs11.exceptions import PKCS11Error
    except ImportError:  # python-pkcs11 is optional
        pass
    else:
        failures.append(PKCS11Error)
    try:
        from aiohttp import ClientError
    except ImportError:  # pragma: no cover - pyHanko depends on aiohttp
        pass
    else:
        failures.append(ClientError)  # a remote (CSC) signing service that fails
    return tuple(failures)


# Loading and checking an RSA private key costs ~0.2 s; a licence is issued inside the
# approving officer's transaction, so each process keeps its loaded signers and reloads
# only when the key or certificate files change (checked by their modification times).
_SIGNERS: dict[tuple[str, ...], tuple[tuple[Path, ...], tuple[int, ...], AgencySigner]] = {}


def _with_parsed_key(signer: signers.SimpleSigner) -> signers.SimpleSigner:
    """Keep the parsed private key: pyHanko's SimpleSigner re-parses (and re-validates)
    it for every signature, twice per document, which dominated issuing time."""
    key = serialization.load_der_private_key(signer.signing_key.dump(), password=None)
    generic_sign_raw = signer.sign_raw

    def sign_raw(data: bytes, digest_algorithm: str) -> bytes:
        mechanism = signer.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            algorithm = mechanism["algorithm"].native
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), digest)
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest))
        return generic_sign_raw(data, digest_algorithm)

    signer.sign_raw = sign_raw  # type: ignore[method-assign]
    return signer


def _file_stamp(*paths: Path) -> tuple[int, ...]:
    try:
        return tuple(path.stat().st_mtime_ns for path in paths)
    except FileNotFoundError:
        return ()


def _demo_signer(agency_code: str, agency_name: str) -> AgencySigner:
    cache_key = ("demo", str(demo_pki.pki_dir()), agency_code)
    cached = _SIGNERS.get(cache_key)
    if cached is not None and _file_stamp(*cached[0]) == cached[1]:
        return cached[2]
    files = demo_pki.ensure_agency_signer(agency_code, agency_name)
    signer = signers.SimpleSigner.load(
        str(files.key_path), str(files.cert_path), ca_chain_files=(str(files.root_cert_path),)
    )
    if signer is None:
        raise ImproperlyConfigured(f"the demo signing key in {files.key_path} cannot be read")
    paths = (files.key_path, files.cert_path, files.root_cert_path)
    loaded = AgencySigner(
        _with_parsed_key(signer), _load_certs([str(files.root_cert_path)]), "demo"
    )
    _SIGNERS[cache_key] = (paths, _file_stamp(*paths), loaded)
    return loaded


def configured_trust_roots() -> list[asn1_x509.Certificate]:
    """The CA certificates validation trusts: configured ones, else the demo root."""
    paths = _setting_list("LOKET_SIGNING_TRUST_ROOTS")
    if paths:
        return _load_certs(paths)
    if _setting("LOKET_SIGNING_PKCS11_MODULE") or _setting("LOKET_SIGNING_PKCS12"):
        raise ImproperlyConfigured(
            "LOKET_SIGNING_TRUST_ROOTS must name the CA certificate(s) of the signing certificate"
        )
    return _load_certs([str(demo_pki.root_certificate_path())])


def sign_pdf(
    pdf_bytes: bytes, *, signer: AgencySigner, reason: str, location: str, contact: str = ""
) -> bytes:
    """Sign a PDF as PAdES with an invisible signature field: B-T when the signer has a
    timestamp authority, else B-B (the signing time is then only the server's claim)."""
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        contact_info=contact or None,
        name=signer.signer_name or None,
        # Certify: the document may not be changed after signing, except by
        # further signatures; a reader flags any other change.
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        # With a timestamp, also embed the certificates and the OCSP/CRL answers the CA
        # publishes (PAdES B-LT), so the licence validates after the CA goes away.
        embed_validation_info=signer.timestamper is not None,
        validation_context=_signing_validation_context(signer),
    )
    pdf_signer = signers.PdfSigner(metadata, signer.signer, timestamper=signer.timestamper)
    reserved = reserved_bytes(signer)
    try:
        try:
            return _sign_once(pdf_signer, signer, pdf_bytes, reserved)
        except SigningError as exc:
            if reserved is None or "larger than expected" not in str(exc):
                raise
            # A chain larger than estimated: let pyHanko measure it (one dry run more).
            return _sign_once(pdf_signer, signer, pdf_bytes, None)
    except SigningError as exc:
        raise ImproperlyConfigured(f"the signing key could not sign: {exc}") from exc


def reserved_bytes(signer: AgencySigner) -> int | None:
    """Room for the signature container, so pyHanko signs once instead of first signing a
    dummy to measure it. None (pyHanko measures) for B-LT signatures, whose embedded
    revocation answers have no size known in advance."""
    if signer.timestamper is not None:
        return None
    inner = signer.signer
    certificates = [inner.signing_cert, *_registry(inner)]
    der = sum(len(cert.dump()) for cert in certificates if cert is not None)
    # Hex-encoded in the PDF (x2); 512 bytes covers an RSA-4096 signature, 2 KiB the
    # CMS structure and signed attributes.
    return 2 * (der + 512 + 2048)


def _registry(inner: signers.Signer) -> list[asn1_x509.Certificate]:
    registry = getattr(inner, "cert_registry", None)
    return list(registry) if registry is not None else []


def _sign_once(
    pdf_signer: signers.PdfSigner, signer: AgencySigner, pdf_bytes: bytes, reserved: int | None
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    output = io.BytesIO()
    if signer.async_session is None:
        pdf_signer.sign_pdf(writer, output=output, bytes_reserved=reserved)
    else:
        asyncio.run(_sign_remotely(pdf_signer, signer, writer, output, reserved))
    return output.getvalue()


async def _sign_remotely(
    pdf_signer: signers.PdfSigner,
    signer: AgencySigner,
    writer: IncrementalPdfFileWriter,
    output: io.BytesIO,
    reserved: int | None,
) -> None:
    assert signer.async_session is not None
    async with signer.async_session():
        await pdf_signer.async_sign_pdf(writer, output=output, bytes_reserved=reserved)


def _signing_validation_context(signer: AgencySigner) -> ValidationContext | None:
    """Where B-LT data comes from: the CA's published OCSP/CRL, fetched at signing time,
    trusting the signer's roots and the configured ones (which hold the TSA's root)."""
    if signer.timestamper is None:
        return None
    roots = [*signer.trust_roots, *configured_trust_roots()]
    return ValidationContext(trust_roots=roots, allow_fetching=True)


@dataclass(frozen=True)
class SignatureCheck:
    """One embedded signature, as the validator found it."""

    field_name: str
    is_intact: bool  # the signed bytes are unchanged
    is_valid: bool  # the cryptographic signature matches
    is_trusted: bool  # the certificate chains to a trusted root
    covers_whole_file: bool  # nothing was added after signing
    signer: str  # certificate subject common name
    issuer: str
    signed_at: datetime | None  # as the signer claimed
    summary: str  # pyHanko's one-line summary, for logs and the CLI
    # RFC 3161 timestamp (PAdES B-T): when a timestamp authority saw the signature.
    timestamped_at: datetime | None = None
    is_timestamp_trusted: bool = False

    @property
    def outlives_certificate(self) -> bool:
        """A trusted timestamp proves the signature existed while the certificate was
        valid, so the signature still holds after the certificate expires."""
        return self.timestamped_at is not None and self.is_timestamp_trusted

    @property
    def is_ok(self) -> bool:
        return self.is_intact and self.is_valid and self.is_trusted and self.covers_whole_file


@dataclass(frozen=True)
class PdfSignatureReport:
    """Whether a PDF carries signatures that hold; `problem` says why not in plain words."""

    signatures: list[SignatureCheck] = field(default_factory=list)
    problem: str = ""

    @property
    def is_ok(self) -> bool:
        return not self.problem and bool(self.signatures)


def validate_pdf_signature(
    pdf_bytes: bytes, trust_roots: list[asn1_x509.Certificate] | None = None
) -> PdfSignatureReport:
    """Validate every signature in a PDF against the trust roots, offline.

    Never fetches revocation information (no network in a closed deployment);
    any input, however damaged, gives a report rather than an exception.
    """
    roots = configured_trust_roots() if trust_roots is None else trust_roots
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception:  # untrusted input: every parse failure means "damaged"
        return PdfSignatureReport(problem=_("The file is not a readable PDF."))
    if not embedded:
        return PdfSignatureReport(problem=_("The PDF carries no electronic signature."))
    checks: list[SignatureCheck] = []
    for signature in embedded:
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        try:
            status = pyhanko_validate(signature, signer_validation_context=context)
        except Exception:
            return PdfSignatureReport(checks, _("A signature in the PDF is damaged."))
        checks.append(_check_from_status(signature.field_name, status))
    return PdfSignatureReport(checks, _report_problem(checks))


# -- internals --------------------------------------------------------------


def _check_from_status(field_name: str, status: Any) -> SignatureCheck:
    cert = status.signing_cert
    stamp = getattr(status, "timestamp_validity", None)
    return SignatureCheck(
        field_name=field_name,
        is_intact=bool(status.intact),
        is_valid=bool(status.valid),
        is_trusted=bool(status.trusted),
        covers_whole_file=_covers_whole_file(status),
        signer=str(cert.subject.native.get("common_name", "")) if cert else "",
        issuer=str(cert.issuer.native.get("common_name", "")) if cert else "",
        signed_at=status.signer_reported_dt,
        summary=status.summary(),
        timestamped_at=stamp.timestamp if stamp is not None else None,
        is_timestamp_trusted=bool(
            stamp is not None and stamp.intact and stamp.valid and stamp.trusted
        ),
    )


def _covers_whole_file(status: Any) -> bool:
    """Nothing was added after signing but validation data (the B-LT revision with the
    CA's certificates and OCSP/CRL answers, which changes no content)."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return bool(
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level == ModificationLevel.LTA_UPDATES
        and status.docmdp_ok
    )


def _report_problem(checks: list[SignatureCheck]) -> str:
    if any(not (c.is_intact and c.is_valid) for c in checks):
        return _("The PDF was changed after it was signed.")
    if any(not c.is_trusted for c in checks):
        return _("The signing certificate is not issued by a trusted authority.")
    if not checks[-1].covers_whole_file:
        return _("Content was added to the PDF after it was signed.")
    return ""


def _setting(name: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value).strip()


def _setting_map(name: str) -> dict[str, str]:
    """A mapping setting, or "key=value,key=value" in the environment."""
    value = getattr(settings, name, None)
    if isinstance(value, dict):
        return {str(k): str(v).strip() for k, v in value.items()}
    pairs = (item.partition("=") for item in _setting(name).split(","))
    return {k.strip(): v.strip() for k, _sep, v in pairs if k.strip() and v.strip()}


def _setting_list(name: str) -> list[str]:
    value = getattr(settings, name, None)
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip()]
    return [item.strip() for item in _setting(name).split(",") if item.strip()]


def _load_certs(paths: list[str]) -> list[asn1_x509.Certificate]:
    certs: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ImproperlyConfigured(f"cannot read certificate file {path}: {exc}") from exc
        if pem.detect(data):
            certs.extend(asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, True))
        else:
            certs.append(asn1_x509.Certificate.load(data))
    return certs


def _pkcs12_signer(path: str) -> AgencySigner:
    if not Path(path).is_file():
        raise ImproperlyConfigured(f"LOKET_SIGNING_PKCS12 names {path}, which is not a file")
    password = _setting("LOKET_SIGNING_PKCS12_PASSWORD").encode() or None
    cache_key = ("pkcs12", path, hashlib.sha256(password or b"").hexdigest())
    cached = _SIGNERS.get(cache_key)
    if cached is not None and _file_stamp(*cached[0]) == cached[1]:
        return cached[2]
    loaded = _load_pkcs12_signer(path, password)
    _SIGNERS[cache_key] = ((Path(path),), _file_stamp(Path(path)), loaded)
    return loaded


def _load_pkcs12_signer(path: str, password: bytes | None) -> AgencySigner:
    chain = _setting_list("LOKET_SIGNING_CA_CHAIN")
    signer = signers.SimpleSigner.load_pkcs12(
        path, ca_chain_files=chain or None, passphrase=password
    )
    if signer is None:
        raise ImproperlyConfigured(
            f"the PKCS#12 file {path} cannot be opened (wrong LOKET_SIGNING_PKCS12_PASSWORD?)"
        )
    return AgencySigner(_with_parsed_key(signer), configured_trust_roots(), "pkcs12")


@register("pkcs11")
@contextmanager
def _pkcs11_signer(agency_code: str, agency_name: str) -> Iterator[AgencySigner]:
    try:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11
    except ImportError as exc:  # python-pkcs11 is an optional dependency
        raise ImproperlyConfigured(
            "PKCS#11 signing needs the python-pkcs11 package: pip install 'pyHanko[pkcs11]'"
        ) from exc
    module = _setting("LOKET_SIGNING_PKCS11_MODULE")
    if not module:
        raise ImproperlyConfigured("LOKET_SIGNING_PKCS11_MODULE must name the PKCS#11 library")
    key_label = _setting("LOKET_SIGNING_PKCS11_KEY").replace("{agency}", agency_code)
    if not key_label:
        raise ImproperlyConfigured("LOKET_SIGNING_PKCS11_KEY must name the signing key's label")
    # The PIN is read from the environment only, never from a settings file.
    pin = os.environ.get("LOKET_SIGNING_PKCS11_PIN") or None
    session = pkcs11.open_pkcs11_session(
        module,
        token_criteria=TokenCriteria(
            label=_setting("LOKET_SIGNING_PKCS11_TOKEN").replace("{agency}", agency_code) or None
        ),
        user_pin=pin,
    )
    try:
        chain = _setting_list("LOKET_SIGNING_CA_CHAIN")
        signer = pkcs11.PKCS11Signer(
            session,
            key_label=key_label,
            cert_label=_setting("LOKET_SIGNING_PKCS11_CERT").replace("{agency}", agency_code)
            or key_label,
            ca_chain=_load_certs(chain) if chain else None,
        )
        yield AgencySigner(signer, configured_trust_roots(), "pkcs11")
    finally:
        session.close()


# The remote kind lives in its own module; importing it registers "csc".
from loket.documents import csc as _csc  # noqa: E402, F401
