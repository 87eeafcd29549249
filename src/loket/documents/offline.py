"""Checking a downloaded certificate without the server: the proof bundle and its verifier.

A proof bundle (``GET /verify/bundle.json?code=…``, format ``loket-proof-bundle/2``)
carries the document's facts with the salt that opens the ledger entry's
commitment, the exact ledger entry recorded when it was issued, an inclusion
proof of that entry in a signed checkpoint, the checkpoint itself, and the
revocation entry if there is one (docs/verification.md). Bundles of format 1
(entries that named the document by id) still verify.

:func:`verify_offline` checks a PDF against such a bundle using only what the
agency publishes (its CA certificate and the log's Ed25519 public key). It is
pure: no database, no network, no Django models, so ``loket verify`` works on
a machine where Loket is installed but not configured.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from loket.core.errors import ValidationError
from loket.documents.signing import SignatureCheck, validate_pdf_signature
from loket.ledger import commitments, merkle
from loket.ledger.canonical import canonical_text
from loket.ledger.signing import Checkpoint, open_checkpoint

BUNDLE_FORMAT = "loket-proof-bundle/2"
READABLE_FORMATS = frozenset({"loket-proof-bundle/1", BUNDLE_FORMAT})
ISSUED_KIND = "document.issued"
REVOKED_KIND = "document.revoked"


class MaterialError(ValueError):
    """The verifier's own inputs (CA file, log key) are unusable: no verdict on the document."""


class _Invalid(Exception):
    """A check failed; the message is the one-line reason shown to the user."""


@dataclass(frozen=True)
class OfflineVerification:
    """The verdict on one PDF: valid or not, with one line saying why."""

    is_valid: bool
    reason: str

    @property
    def line(self) -> str:
        return f"{'VALID' if self.is_valid else 'INVALID'}: {self.reason}"


# --- the verifier's published material -------------------------------------------------------


def load_trust_roots(data: bytes) -> list[asn1_x509.Certificate]:
    """CA certificates from PEM (one or more) or DER bytes; raises `MaterialError`."""
    try:
        if pem.detect(data):
            certs = [
                asn1_x509.Certificate.load(der)
                for kind, _headers, der in pem.unarmor(data, multiple=True)
                if kind == "CERTIFICATE"
            ]
        else:
            certs = [asn1_x509.Certificate.load(data)]
        for cert in certs:
            cert.native  # noqa: B018 - forces a full parse, so garbage fails here
    except (ValueError, TypeError) as exc:
        raise MaterialError(f"not a CA certificate: {exc}") from exc
    if not certs:
        raise MaterialError("no CERTIFICATE block in the CA file")
    return certs


def load_log_key(data: bytes) -> Ed25519PublicKey:
    """The log's Ed25519 public key from PEM (SubjectPublicKeyInfo); raises `MaterialError`."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise MaterialError(f"not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise MaterialError("the log key must be an Ed25519 public key")
    return key


def parse_bundle(data: bytes) -> dict[str, Any]:
    """The bundle's JSON object; raises `MaterialError` if it is not JSON at all."""
    try:
        bundle = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MaterialError(f"the proof bundle is not JSON: {exc}") from exc
    if not isinstance(bundle, dict):
        raise MaterialError("the proof bundle must be a JSON object")
    return bundle


# --- the verdict -------------------------------------------------------------------------------


def verify_offline(
    *,
    pdf_bytes: bytes,
    trust_roots: Sequence[asn1_x509.Certificate],
    log_key: Ed25519PublicKey,
    bundle: Mapping[str, Any],
) -> OfflineVerification:
    """Check a PDF fully offline; never raises for bad input, whatever the bytes.

    In order: (a) the PAdES signature is intact, covers the whole file and
    chains to ``trust_roots`` (no fetching); (b) the file's SHA-256 is the one
    the ledger entry recorded; (c) the entry's leaf hash and its inclusion
    proof lead to the checkpoint's root; (d) the checkpoint is signed by
    ``log_key``; (e) the bundle carries no revocation (a revocation entry is
    itself checked against the same checkpoint).
    """
    try:
        return _verify(pdf_bytes, list(trust_roots), log_key, bundle)
    except _Invalid as invalid:
        return OfflineVerification(False, _one_line(str(invalid)))


def _verify(
    pdf_bytes: bytes,
    trust_roots: list[asn1_x509.Certificate],
    log_key: Ed25519PublicKey,
    bundle: Mapping[str, Any],
) -> OfflineVerification:
    if bundle.get("format") not in READABLE_FORMATS:
        raise _Invalid(f"the proof bundle is not in the {BUNDLE_FORMAT} format")
    report = validate_pdf_signature(pdf_bytes, trust_roots)
    if not report.is_ok:
        raise _Invalid(f"signature: {report.problem}")
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    document = _mapping(bundle, "document")
    if str(document.get("sha256", "")).lower() != digest:
        raise _Invalid("this file is not the document of the proof bundle (SHA-256 differs)")
    checkpoint = _open_checkpoint(bundle, log_key)
    issued = _checked_entry(
        bundle, "entry", "inclusion_proof", checkpoint, ISSUED_KIND, document, digest
    )
    revocation = bundle.get("revocation")
    if revocation:
        if not isinstance(revocation, Mapping):
            raise _Invalid("the proof bundle's revocation is malformed")
        revoked = _checked_entry(
            revocation, "entry", "inclusion_proof", checkpoint, REVOKED_KIND, document, digest
        )
        _check_revokes(revoked, bundle["entry"]["index"], issued)
        raise _Invalid(f"revoked since {revoked.get('revoked_at', '?')}")
    signer = report.signatures[-1].signer
    return OfflineVerification(
        True,
        _one_line(
            f"{issued.get('document_type', '')} {document.get('number', '')} issued "
            f"{issued.get('issued_at', '')} by {issued.get('agency', '')} "
            f"({issued.get('position', '')}), signed by {signer}"
            f"{_timestamp_words(report.signatures[-1])}; ledger entry "
            f"{bundle['entry']['index']} in checkpoint {checkpoint.origin} of "
            f"{checkpoint.size} entries"
        ),
    )


def _timestamp_words(check: SignatureCheck) -> str:
    if check.timestamped_at is None:
        return " (no timestamp: valid only while the signing certificate is)"
    if not check.outlives_certificate:
        return f" (timestamp {check.timestamped_at.isoformat()} from an untrusted authority)"
    return (
        f", timestamped {check.timestamped_at.isoformat()} by a trusted authority "
        "(stays valid after the certificate expires)"
    )


def _open_checkpoint(bundle: Mapping[str, Any], log_key: Ed25519PublicKey) -> Checkpoint:
    note = bundle.get("checkpoint")
    if not isinstance(note, str) or "\n" not in note:
        raise _Invalid("the proof bundle has no checkpoint")
    origin = note.split("\n", 1)[0]
    try:
        return open_checkpoint(note, origin, log_key)
    except (ValueError, binascii.Error) as exc:
        raise _Invalid(f"checkpoint is not signed by the log key ({exc})") from exc


def _checked_entry(
    holder: Mapping[str, Any],
    entry_key: str,
    proof_key: str,
    checkpoint: Checkpoint,
    kind: str,
    document: Mapping[str, Any],
    digest: str,
) -> dict[str, Any]:
    """The payload of a ledger entry proven to be in the checkpoint's tree, checked for kind."""
    entry = _mapping(holder, entry_key)
    proof = _mapping(holder, proof_key)
    canonical = entry.get("canonical")
    index = entry.get("index")
    if not isinstance(canonical, str) or not isinstance(index, int) or not _is_index(index):
        raise _Invalid(f"the proof bundle's {kind} entry is malformed")
    leaf = merkle.leaf_hash(canonical.encode("utf-8"))
    if "leaf_hash" in entry and _b64(entry["leaf_hash"], "leaf hash") != leaf:
        raise _Invalid(f"ledger entry {index}: leaf hash does not match the entry text")
    recorded = _parse_entry(canonical, index, kind)
    if proof.get("tree_size") != checkpoint.size:
        raise _Invalid("the inclusion proof is not for the checkpoint's tree size")
    path = proof.get("path")
    if not isinstance(path, list):
        raise _Invalid("the inclusion proof is malformed")
    nodes = [_b64(node, "proof node") for node in path]
    if not merkle.verify_inclusion(leaf, index, checkpoint.size, nodes, checkpoint.root_hash):
        raise _Invalid(f"ledger entry {index} is not in the signed log (inclusion proof fails)")
    payload = recorded["payload"]
    if kind == ISSUED_KIND and not _names_document(payload, document):
        raise _Invalid(f"ledger entry {index} is about another document")
    if str(payload.get("sha256", "")).lower() != digest:
        raise _Invalid(f"ledger entry {index} records another file (SHA-256 differs)")
    return dict(payload)


def _names_document(payload: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    """Does the issued entry commit to this document's number (or, in old entries, its id)?"""
    if "commitment" in payload:
        try:
            salt = commitments.decode_salt(str(document.get("commitment_salt", "")))
        except (ValueError, binascii.Error):
            return False
        opened = commitments.commit(salt, canonical_text({"number": document.get("number")}))
        return bool(opened == payload["commitment"])
    # Entries recorded before commitments carried the document's id (docs/ledger.md).
    return payload.get("document") is not None and payload.get("document") == document.get("id")


def _check_revokes(
    revoked: Mapping[str, Any], issued_index: int, issued: Mapping[str, Any]
) -> None:
    """The revocation entry must point at the issued entry (new) or the same id (old)."""
    if "issued_entry" in revoked:
        if revoked["issued_entry"] != issued_index:
            raise _Invalid("the revocation entry is about another document")
    elif revoked.get("document") != issued.get("document"):
        raise _Invalid("the revocation entry is about another document")


def _parse_entry(canonical: str, index: int, kind: str) -> dict[str, Any]:
    try:
        recorded = json.loads(canonical)
        # Re-encoding must give the same text: rules out duplicate keys and
        # other JSON that parses to something other than what was hashed.
        is_canonical = canonical_text(recorded) == canonical
    except (ValueError, ValidationError):
        is_canonical = False
    if not is_canonical or not isinstance(recorded, dict):
        raise _Invalid(f"ledger entry {index} is not canonical JSON")
    if recorded.get("index") != index or recorded.get("kind") != kind:
        raise _Invalid(f"ledger entry {index} is not a {kind} entry at that index")
    if not isinstance(recorded.get("payload"), dict):
        raise _Invalid(f"ledger entry {index} has no payload")
    return recorded


def _mapping(holder: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = holder.get(key)
    if not isinstance(value, Mapping):
        raise _Invalid(f"the proof bundle has no {key.replace('_', ' ')}")
    return value


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _b64(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _Invalid(f"the proof bundle has a malformed {what}") from exc


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
