"""What the public verification page shows and the proof bundle it offers.

Read-mostly: the only write is signing a tree head when no signed checkpoint
covers the document's ledger entries yet (``tree_head_covering``), so that
every proof shown is against a signed checkpoint.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from asn1crypto import pem

from loket.documents.models import IssuedDocument
from loket.documents.offline import BUNDLE_FORMAT
from loket.documents.signing import configured_trust_roots
from loket.ledger import services as ledger
from loket.ledger import signing as ledger_signing
from loket.ledger.models import LedgerEntry


@dataclass(frozen=True)
class EntryProof:
    """One ledger entry about the document, proven to be in a signed checkpoint."""

    index: int
    kind: str
    canonical: str
    leaf_hash: bytes
    tree_size: int
    root_hash: bytes
    path: list[bytes]

    @property
    def leaf_hash_b64(self) -> str:
        return _b64(self.leaf_hash)

    @property
    def root_hash_b64(self) -> str:
        return _b64(self.root_hash)

    @property
    def path_b64(self) -> list[str]:
        return [_b64(node) for node in self.path]


@dataclass(frozen=True)
class DocumentVerification:
    """A document's public status with the ledger proofs behind it."""

    document: IssuedDocument
    issued: EntryProof | None  # None only for documents issued before ledger linking
    revocation: EntryProof | None
    checkpoint: str  # signed note of the tree head the proofs are against ("" if none)
    checkpoint_signed_at: dt.datetime | None

    @property
    def status(self) -> str:
        """valid | revoked."""
        return "revoked" if self.document.is_revoked else "valid"


def verification_of(document: IssuedDocument) -> DocumentVerification:
    """The document's ledger entries with inclusion proofs against one signed checkpoint."""
    indexes = [
        index
        for index in (document.ledger_index, document.revocation_ledger_index)
        if index is not None
    ]
    if not indexes:
        return DocumentVerification(document, None, None, "", None)
    # One head covering both entries, so the bundle needs a single checkpoint.
    head = ledger.tree_head_covering(max(indexes))
    # The ledger app offers no read operation for an entry's canonical text;
    # reading its row here is read-only and mirrors its own API endpoint.
    rows = {row.index: row for row in LedgerEntry.objects.filter(index__in=indexes)}

    def proof(index: int | None) -> EntryProof | None:
        if index is None or index not in rows:
            return None
        inclusion = ledger.inclusion_proof(index, head.size)
        return EntryProof(
            index=index,
            kind=rows[index].kind,
            canonical=rows[index].canonical,
            leaf_hash=inclusion.leaf_hash,
            tree_size=inclusion.tree_size,
            root_hash=inclusion.root_hash,
            path=inclusion.path,
        )

    return DocumentVerification(
        document=document,
        issued=proof(document.ledger_index),
        revocation=proof(document.revocation_ledger_index),
        checkpoint=ledger.checkpoint_text(head),
        checkpoint_signed_at=head.timestamp,
    )


def proof_bundle(verification: DocumentVerification) -> dict[str, Any]:
    """The JSON proof bundle `loket verify` checks offline (docs/verification.md)."""
    document = verification.document
    bundle: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "document": public_facts(document),
        "entry": _entry_json(verification.issued),
        "inclusion_proof": _proof_json(verification.issued),
        "checkpoint": verification.checkpoint or None,
        "revocation": None,
    }
    if document.is_revoked:
        # No reason: it is the officer's free text, not needed to see that the document
        # is no longer in force (the applicant is told it through their own channels).
        bundle["revocation"] = {
            "revoked_at": document.revoked_at.isoformat() if document.revoked_at else None,
            "position": _position(document.revoked_position),
            "entry": _entry_json(verification.revocation),
            "inclusion_proof": _proof_json(verification.revocation),
        }
    return bundle


def public_facts(document: IssuedDocument) -> dict[str, Any]:
    """What the holder's code shows about a document: enough to confirm it, nothing more.

    No NIK, birth date, address or officer name; the holder's name masked. The
    salt opens the ledger entry's commitment to the number; documents issued
    before commitments are named by id instead, as their entry does.
    """
    facts: dict[str, Any] = {
        "number": document.number,
        "document_type": document.document_type,
        "sha256": document.sha256,
        "issued_at": document.issued_at.isoformat(),
        "agency": {"code": document.agency.code, "name": document.agency.name},
        "position": _position(document.issued_position),
        "capacity": document.issued_capacity,
        "holder": masked_name(document.case.applicant_name),
    }
    if document.commitment_salt:
        facts["commitment_salt"] = document.commitment_salt
    else:
        facts["id"] = str(document.id)
    return facts


def masked_name(name: str) -> str:
    """``S** W******``: the initials, enough to match a person already met, not to find one."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in str(name).split())


def trust_roots_pem() -> str:
    """The CA certificate(s) the agency's signatures chain to, as PEM."""
    return "".join(
        pem.armor("CERTIFICATE", cert.dump()).decode("ascii") for cert in configured_trust_roots()
    )


def log_public_key_pem() -> str:
    """The public key that signs the ledger's checkpoints, as PEM."""
    return ledger_signing.public_key_pem(ledger_signing.load_private_key().public_key())


def _entry_json(proof: EntryProof | None) -> dict[str, Any] | None:
    if proof is None:
        return None
    return {
        "index": proof.index,
        "kind": proof.kind,
        "canonical": proof.canonical,
        "leaf_hash": proof.leaf_hash_b64,
    }


def _proof_json(proof: EntryProof | None) -> dict[str, Any] | None:
    if proof is None:
        return None
    return {
        "tree_size": proof.tree_size,
        "root_hash": proof.root_hash_b64,
        "path": proof.path_b64,
    }


def _position(position: Any) -> dict[str, str] | None:
    if position is None:
        return None
    return {"code": position.code, "title": position.title}


def _b64(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")
