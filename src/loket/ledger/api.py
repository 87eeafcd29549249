"""Public API of the ledger: checkpoints, entries with inclusion proofs, consistency proofs.

Hashes, signatures and proof nodes are standard base64 strings (as in the
checkpoint text and the Certificate Transparency JSON API). Proof nodes are in
RFC 9162 order: inclusion paths from the leaf upwards, consistency paths as
PROOF(first, D[second]).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from loket.api.responses import problems
from loket.ledger import services, signing
from loket.ledger.models import TreeHead

router = Router(tags=["ledger"])


def _b64(data: bytes | memoryview) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


class CheckpointOut(Schema):
    origin: str
    tree_size: int
    root_hash: str = Field(description="base64")
    timestamp: datetime
    key_id: str = Field(description="hex, the signed-note key ID")
    signature: str = Field(description="base64 Ed25519 signature over the checkpoint body")
    checkpoint: str = Field(description="the signed note (C2SP tlog-checkpoint)")


class CurrentCheckpointOut(CheckpointOut):
    pending: int = Field(
        description="public events committed and waiting for the worker to fold them into "
        "the log (usually for a second or two); they get indexes after tree_size"
    )
    pending_note: str = Field(description="the same, said for people, in the request's language")


class EntryOut(Schema):
    index: int
    kind: str
    withheld: bool = Field(
        description="recorded before the public-data rule: payload and canonical text are "
        "not served; the leaf hash and proof still are (docs/ledger.md)"
    )
    payload: dict[str, Any] | None
    recorded_at: datetime
    canonical: str | None = Field(description="the exact UTF-8 text the leaf hash covers")
    leaf_hash: str = Field(description="base64 SHA-256(0x00 || canonical)")
    tree_size: int
    root_hash: str = Field(description="base64 root of the tree of tree_size entries")
    inclusion_proof: list[str] = Field(description="base64 nodes, leaf upwards")
    checkpoint: CheckpointOut | None = Field(
        description="the signed tree head of tree_size, when one exists"
    )


class ConsistencyOut(Schema):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str] = Field(description="base64 nodes of PROOF(first, D[second])")


class PublicKeyOut(Schema):
    origin: str
    algorithm: str
    key_id: str
    public_key_pem: str
    verifier_key: str = Field(description="signed-note verifier key: name+keyid+base64(0x01||key)")


class EntryQuery(Schema):
    tree_size: int | None = Field(None, ge=1, description="default: the latest signed tree head")


class ConsistencyQuery(Schema):
    first: int = Field(ge=0)
    second: int = Field(ge=0)


def _checkpoint_out(head: TreeHead) -> CheckpointOut:
    return CheckpointOut(
        origin=head.origin,
        tree_size=head.size,
        root_hash=_b64(head.root_hash),
        timestamp=head.timestamp,
        key_id=head.key_id,
        signature=_b64(head.signature),
        checkpoint=services.checkpoint_text(head),
    )


@router.get("/checkpoint", response=CurrentCheckpointOut, summary="Latest signed tree head")
def checkpoint(request: HttpRequest) -> CurrentCheckpointOut:
    head = _checkpoint_out(services.current_tree_head())
    pending = services.pending_count()
    note = (
        _("%(count)s committed events are waiting to be recorded in the ledger.")
        % {"count": pending}
        if pending
        else ""
    )
    return CurrentCheckpointOut(**head.model_dump(), pending=pending, pending_note=note)


@router.get(
    "/entries/{index}",
    response=EntryOut,
    summary="One ledger entry with its inclusion proof",
    openapi_extra=problems(404, 422),
)
def entry(request: HttpRequest, index: int, query: Query[EntryQuery]) -> EntryOut:
    found = services.entry_with_proof(index, tree_size=query.tree_size)
    row, proof, head = found.entry, found.proof, found.tree_head
    withheld = services.is_withheld(row)
    return EntryOut(
        index=row.index,
        kind=row.kind,
        withheld=withheld,
        payload=None if withheld else row.payload,
        recorded_at=row.created_at,
        canonical=None if withheld else row.canonical,
        leaf_hash=_b64(proof.leaf_hash),
        tree_size=proof.tree_size,
        root_hash=_b64(proof.root_hash),
        inclusion_proof=[_b64(node) for node in proof.path],
        checkpoint=_checkpoint_out(head) if head is not None else None,
    )


@router.get(
    "/consistency",
    response=ConsistencyOut,
    summary="Proof that the tree of size second extends the tree of size first",
    openapi_extra=problems(422),
)
def consistency(request: HttpRequest, query: Query[ConsistencyQuery]) -> ConsistencyOut:
    proof = services.consistency_proof(query.first, query.second)
    return ConsistencyOut(
        first=proof.first,
        second=proof.second,
        first_root=_b64(proof.first_root),
        second_root=_b64(proof.second_root),
        proof=[_b64(node) for node in proof.path],
    )


@router.get("/public-key", response=PublicKeyOut, summary="The log's Ed25519 public key")
def public_key(request: HttpRequest) -> PublicKeyOut:
    key = signing.load_private_key().public_key()
    origin = signing.log_origin()
    return PublicKeyOut(
        origin=origin,
        algorithm="Ed25519",
        key_id=signing.key_id(origin, key).hex(),
        public_key_pem=signing.public_key_pem(key),
        verifier_key=signing.verifier_key(origin, key),
    )
