"""Ledger operations: append, sign tree heads, prove, verify.

``append`` is called by other apps inside their own transaction so that a
change and the entry recording it commit or roll back together. Appends are
serialised by a row lock on the single ``LogState`` row (on SQLite the
settings' ``BEGIN IMMEDIATE`` already serialises writers), which is what
makes the index gap-free.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core.errors import LoketError, NotFound, ValidationError
from loket.ledger import merkle, signing, store
from loket.ledger.canonical import canonical_text, format_timestamp, normalize
from loket.ledger.models import LedgerEntry, LogState, PendingEntry, SubtreeHash, TreeHead

ENTRY_FORMAT_VERSION = 1
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
KIND_MAX_LENGTH = 64
_ENTRY_COLUMNS = ("index", "kind", "payload", "canonical", "leaf_hash", "created_at")


class LedgerIntegrityError(LoketError):
    """Stored ledger data is missing or inconsistent: the log needs an operator."""

    status = 500
    title = "Ledger integrity error"


# --- append --------------------------------------------------------------------------------


def entry_document(
    *, index: int, kind: str, payload: Mapping[str, Any], recorded_at: dt.datetime
) -> dict[str, Any]:
    """The JSON object a leaf hash covers (docs/ledger.md, "What a leaf hash covers")."""
    return {
        "v": ENTRY_FORMAT_VERSION,
        "index": index,
        "kind": kind,
        "payload": payload,
        "recorded_at": format_timestamp(recorded_at),
    }


def _validate_kind(kind: str) -> None:
    if len(kind) > KIND_MAX_LENGTH or not KIND_PATTERN.fullmatch(kind):
        raise ValidationError(
            f"ledger kind {kind!r} must be dotted lower-case words "
            f"(e.g. 'case.submitted'), at most {KIND_MAX_LENGTH} characters",
            field="kind",
        )


def _checked(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Validate kind and payload before anything is written; the normalized payload."""
    _validate_kind(kind)
    if not isinstance(payload, Mapping):
        raise ValidationError("ledger payload must be a JSON object", field="payload")
    normalized = normalize(payload, "payload")
    assert isinstance(normalized, dict)
    return normalized


def _require_transaction(what: str) -> BaseDatabaseWrapper:
    connection: BaseDatabaseWrapper = transaction.get_connection()
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            f"ledger.{what} must be called inside the transaction of the change it records"
        )
    return connection


def append(*, kind: str, payload: Mapping[str, Any]) -> LedgerEntry:
    """Append one entry at the next index and store the subtree hashes it completes.

    Must run inside the caller's ``transaction.atomic`` block: the entry
    commits with the change it records or not at all. It adds no savepoint, so
    an error here dooms the caller's transaction rather than letting the
    change commit without its entry. Entries queued before it (``enqueue``) and
    visible to this transaction are folded first, so the log keeps the order in
    which their changes committed. Cost without queued entries: one locked
    read, one read of the queue, one insert, at most one bulk insert (amortised
    one row) and one update.
    """
    connection = _require_transaction("append")
    normalized = _checked(kind, payload)
    with transaction.atomic(savepoint=False):
        size, frontier_blob = store.lock_state(connection)
        frontier = store.split_frontier(frontier_blob)
        size, frontier, _folded = _fold_locked(connection, size, frontier, limit=None)
        [entry], _frontier = _append_locked(connection, size, frontier, [(kind, normalized)])
    return entry


def enqueue(entries: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """Queue public entries to be folded into the log after this transaction commits.

    For hot paths (the case engine's steps): one INSERT, no lock on the log, so
    concurrent steps do not queue up behind one another's COMMIT. Like `append`
    it must run inside the transaction of the change: the queued rows commit
    with it or not at all, and the worker (`fold_pending`) appends each exactly
    once, in the order they were queued. Bad kinds or payloads raise
    ``ValidationError`` here, before anything is written.
    """
    connection = _require_transaction("enqueue")
    if not entries:
        return
    now = timezone.now()
    rows = [
        {"kind": kind, "payload": _checked(kind, payload), "queued_at": now}
        for kind, payload in entries
    ]
    store.insert(connection, PendingEntry, rows)


# Entries appended per folding transaction: bounds how long the log's lock is held
# and how much a killed folder leaves for the next run to redo.
FOLD_BATCH = 500


def fold_pending(*, batch: int = FOLD_BATCH) -> int:
    """Append every committed queued entry to the log, in queue order; how many.

    Each batch is one transaction that appends the entries and deletes their
    queue rows together: a folder killed mid-batch leaves the log and the queue
    as they were, and the next run folds the same rows once. Folders (and
    `append`) serialise on the log's row lock, so two never fold one row.
    """
    folded = 0
    # Checked without the lock first: an idle worker asks every second, and on SQLite
    # taking the lock means taking the database's write lock.
    if not PendingEntry.objects.exists():
        return 0
    while True:
        with transaction.atomic():
            connection = transaction.get_connection()
            size, frontier_blob = store.lock_state(connection)
            frontier = store.split_frontier(frontier_blob)
            _size, _frontier, count = _fold_locked(connection, size, frontier, limit=batch)
        folded += count
        if count < batch:
            return folded


def pending_count() -> int:
    """Entries committed and waiting for the worker to fold them into the log."""
    return PendingEntry.objects.count()


def _fold_locked(
    connection: BaseDatabaseWrapper, size: int, frontier: list[bytes], *, limit: int | None
) -> tuple[int, list[bytes], int]:
    """Append queued entries (all, or the first ``limit``) under the held log lock."""
    total = 0
    chunk = FOLD_BATCH if limit is None else limit
    while True:
        rows = store.pending(connection, chunk)
        if not rows:
            return size, frontier, total
        entries, frontier = _append_locked(
            connection, size, frontier, [(kind, payload) for _id, kind, payload in rows]
        )
        store.delete_pending(connection, [row_id for row_id, _kind, _payload in rows])
        size += len(entries)
        total += len(entries)
        if limit is not None or len(rows) < chunk:
            return size, frontier, total


def _append_locked(
    connection: BaseDatabaseWrapper,
    size: int,
    frontier: list[bytes],
    items: Sequence[tuple[str, dict[str, Any]]],
) -> tuple[list[LedgerEntry], list[bytes]]:
    """Write entries at ``size``, ``size + 1``…: one INSERT of entries, one of the subtree
    hashes they complete, one UPDATE of the state. The caller holds the log lock."""
    recorded_at = timezone.now()
    entries: list[LedgerEntry] = []
    completed_all: list[tuple[int, int, bytes]] = []
    for offset, (kind, payload) in enumerate(items):
        index = size + offset
        text = canonical_text(
            entry_document(index=index, kind=kind, payload=payload, recorded_at=recorded_at)
        )
        leaf = merkle.leaf_hash(text.encode("utf-8"))
        frontier, completed = merkle.append_leaf(frontier, index, leaf)
        completed_all.extend(completed)
        entries.append(
            LedgerEntry(
                index=index,
                kind=kind,
                payload=payload,
                canonical=text,
                leaf_hash=leaf,
                created_at=recorded_at,
            )
        )
    # Many rows per statement, but under SQLite's bound-parameter limit.
    for start in range(0, len(entries), 100):
        store.insert(
            connection,
            LedgerEntry,
            [{f: getattr(e, f) for f in _ENTRY_COLUMNS} for e in entries[start : start + 100]],
        )
    for start in range(0, len(completed_all), 250):
        store.insert(
            connection,
            SubtreeHash,
            [
                {"level": level, "index": node, "hash": digest}
                for level, node, digest in completed_all[start : start + 250]
            ],
        )
    store.save_state(connection, size + len(entries), b"".join(frontier))
    for entry in entries:
        entry._state.adding = False
        entry._state.db = connection.alias
    return entries, frontier


# --- reading stored hashes -----------------------------------------------------------------


def lock_for_append() -> None:
    """Take the log's append lock now, inside the caller's transaction.

    For a transaction that will lock other rows (e.g. a document-number sequence)
    before its first append: every transaction must take the ledger lock before
    those rows, or two of them can deadlock.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("lock_for_append must be called inside a transaction")
    store.lock_state(transaction.get_connection())


def _current_state() -> tuple[int, list[bytes]]:
    state = LogState.objects.filter(pk=1).first()
    if state is None:
        return 0, []
    return state.size, store.split_frontier(state.frontier)


def log_size() -> int:
    """Number of entries committed to the log."""
    return _current_state()[0]


def _stored_accessor(ranges: Iterable[merkle.Range]) -> merkle.SubtreeHash:
    """A subtree-hash accessor over the given node ranges, fetched in two queries.

    Each range is decomposed into complete subtrees; level-0 pieces are leaf
    hashes, the rest ``SubtreeHash`` rows. O(log n) rows per range.
    """
    pieces = {piece for start, end in ranges for piece in merkle.perfect_pieces(start, end)}
    leaf_indexes = [index for level, index in pieces if level == 0]
    node_keys = [(level, index) for level, index in pieces if level > 0]
    found: dict[tuple[int, int], bytes] = {}
    if leaf_indexes:
        leaves = LedgerEntry.objects.filter(index__in=leaf_indexes)
        found.update(
            ((0, index), bytes(digest))
            for index, digest in leaves.values_list("index", "leaf_hash")
        )
    if node_keys:
        nodes = SubtreeHash.objects.filter(pk__in=node_keys)
        found.update(
            ((level, index), bytes(digest))
            for level, index, digest in nodes.values_list("level", "index", "hash")
        )
    missing = pieces - found.keys()
    if missing:
        raise LedgerIntegrityError(f"stored subtree hashes are missing: {sorted(missing)[:3]}")

    def subtree_hash(start: int, end: int) -> bytes:
        return merkle.fold_pieces([found[piece] for piece in merkle.perfect_pieces(start, end)])

    return subtree_hash


def _check_tree_size(tree_size: int, size: int, field: str) -> None:
    if tree_size < 0 or tree_size > size:
        raise ValidationError(
            _("%(field)s must be between 0 and the log size (%(size)d), not %(value)d.")
            % {"field": field, "size": size, "value": tree_size},
            field=field,
        )


def root_hash_at(tree_size: int) -> bytes:
    """Root hash of the log's first ``tree_size`` entries, from stored subtrees."""
    _check_tree_size(tree_size, log_size(), "tree_size")
    if tree_size == 0:
        return merkle.EMPTY_ROOT
    return _stored_accessor([(0, tree_size)])(0, tree_size)


# --- proofs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InclusionProof:
    index: int
    tree_size: int
    leaf_hash: bytes
    root_hash: bytes
    path: list[bytes]


@dataclass(frozen=True)
class ConsistencyProof:
    first: int
    second: int
    first_root: bytes
    second_root: bytes
    path: list[bytes]


def inclusion_proof(index: int, tree_size: int) -> InclusionProof:
    """PATH(index, D[tree_size]) from stored hashes: O(log n) rows, three queries."""
    size = log_size()
    if index < 0 or index >= size:
        raise NotFound(_("The ledger has no entry %(index)d.") % {"index": index}, field="index")
    _check_tree_size(tree_size, size, "tree_size")
    if index >= tree_size:
        raise ValidationError(
            _("Entry %(index)d is not in a tree of %(size)d entries.")
            % {"index": index, "size": tree_size},
            field="tree_size",
        )
    ranges = [*merkle.inclusion_ranges(index, tree_size), (index, index + 1), (0, tree_size)]
    accessor = _stored_accessor(ranges)
    return InclusionProof(
        index=index,
        tree_size=tree_size,
        leaf_hash=accessor(index, index + 1),
        root_hash=accessor(0, tree_size),
        path=merkle.inclusion_proof(index, tree_size, accessor),
    )


def consistency_proof(first: int, second: int) -> ConsistencyProof:
    """PROOF(first, D[second]) from stored hashes, with both roots."""
    size = log_size()
    _check_tree_size(second, size, "second")
    if first < 0 or first > second:
        raise ValidationError(
            _("first must be between 0 and second (%(second)d), not %(first)d.")
            % {"first": first, "second": second},
            field="first",
        )
    ranges = merkle.consistency_ranges(first, second)
    roots = [(0, n) for n in (first, second) if n]
    accessor = _stored_accessor([*ranges, *roots])

    def root(n: int) -> bytes:
        return accessor(0, n) if n else merkle.EMPTY_ROOT

    return ConsistencyProof(
        first=first,
        second=second,
        first_root=root(first),
        second_root=root(second),
        path=merkle.consistency_proof(first, second, accessor),
    )


# Keys of payloads appended before the public-data rule (docs/ledger.md, "What is
# public"): the officer's NIP, tracking numbers, document ids, a revocation's reason
# in clear and unsalted hashes of reasons. Such rows stay in the log (it is
# append-only and their hashes are in signed heads), but are not served in clear.
WITHHELD_PAYLOAD_KEYS = frozenset(
    {"officer_nip", "tracking_number", "document", "reason", "data_hash"}
)


def is_withheld(entry: LedgerEntry) -> bool:
    """Was the entry recorded under the old rule, with data the public must not read?"""
    return isinstance(entry.payload, dict) and not WITHHELD_PAYLOAD_KEYS.isdisjoint(entry.payload)


@dataclass(frozen=True)
class EntryWithProof:
    entry: LedgerEntry
    proof: InclusionProof
    tree_head: TreeHead | None


def entry_with_proof(index: int, *, tree_size: int | None = None) -> EntryWithProof:
    """An entry, its inclusion proof, and the signed head the proof is against.

    Without ``tree_size`` the proof is against the latest signed head, signing
    a new one if the entry is newer; with it, against that size (and its
    signed head, if one was signed at exactly that size).
    """
    # Checked against the log size first so no out-of-range number reaches the database.
    entry = LedgerEntry.objects.filter(index=index).first() if 0 <= index < log_size() else None
    if entry is None:
        raise NotFound(_("The ledger has no entry %(index)d.") % {"index": index}, field="index")
    head: TreeHead | None
    if tree_size is None:
        head = tree_head_covering(index)
        proof = inclusion_proof(index, head.size)
    else:
        proof = inclusion_proof(index, tree_size)
        head = TreeHead.objects.filter(size=tree_size).order_by("-timestamp", "-id").first()
    return EntryWithProof(entry=entry, proof=proof, tree_head=head)


# --- tree heads ------------------------------------------------------------------------------


def latest_tree_head() -> TreeHead | None:
    return TreeHead.objects.order_by("-size", "-timestamp", "-id").first()


@transaction.atomic
def sign_tree_head() -> TreeHead:
    """Sign and store a tree head for the log as committed now (size, root, time)."""
    size, frontier = _current_state()
    root = merkle.frontier_root(frontier)
    # Milliseconds: the precision of the checkpoint's Timestamp line.
    now = timezone.now()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    private_key = signing.load_private_key()
    origin = signing.log_origin()
    body = signing.checkpoint_body(origin, size, root, now)
    return TreeHead.objects.create(
        size=size,
        root_hash=root,
        timestamp=now,
        origin=origin,
        key_id=signing.key_id(origin, private_key.public_key()).hex(),
        signature=signing.sign_body(body, private_key),
    )


def sign_tree_head_if_grown() -> TreeHead | None:
    """Sign a new head only when the log has entries no head covers yet (or none exists)."""
    latest = latest_tree_head()
    if latest is not None and latest.size >= log_size():
        return None
    return sign_tree_head()


def current_tree_head() -> TreeHead:
    """The head covering every entry appended so far: a monitor is never shown a stale
    one. Signs a new head only when the log grew since the last."""
    grown = sign_tree_head_if_grown()
    if grown is not None:
        return grown
    latest = latest_tree_head()
    assert latest is not None  # sign_tree_head_if_grown signs when there is none
    return latest


def tree_head_covering(index: int | None = None) -> TreeHead:
    """The latest signed head, signing one now if there is none or it predates ``index``."""
    latest = latest_tree_head()
    if latest is None or (index is not None and latest.size <= index):
        return sign_tree_head()
    return latest


def checkpoint_text(head: TreeHead) -> str:
    """The head as a signed-note checkpoint (docs/ledger.md, "Checkpoints")."""
    body = signing.checkpoint_body(head.origin, head.size, bytes(head.root_hash), head.timestamp)
    return signing.signed_note(body, head.origin, bytes.fromhex(head.key_id), bytes(head.signature))


# --- verification ----------------------------------------------------------------------------

VERIFY_CHUNK = 2000
# Subtree rows compared per query: 500 (level, index) pairs stay far below
# SQLite's bound-parameter limit.
SUBTREE_BATCH = 500


@dataclass(frozen=True)
class LogVerification:
    is_intact: bool
    size: int
    tree_heads_checked: int
    reason: str = ""


class _Mismatch(Exception):
    pass


def verify_log() -> LogVerification:
    """Recompute every hash from the stored rows and check them against the signed heads.

    Streams the entries in index order (memory stays O(chunk + log n)) and
    checks: the indexes are gap-free; each row's kind, payload and time still
    produce its stored canonical text and leaf hash; every stored subtree hash
    matches the recomputed one; each signed head's root matches the tree of its
    size and its signature verifies with the log key; the log state agrees.
    Returns the first mismatch found as a one-line reason.
    """
    size, stored_frontier = _current_state()
    heads = list(TreeHead.objects.order_by("size", "id"))
    try:
        if heads:
            public_key = signing.load_private_key().public_key()
        for head in heads:
            _check_head_signature(head, public_key)
            if head.size > size:
                raise _Mismatch(
                    f"tree head {head.pk} covers {head.size} entries; the log has {size}"
                )
        count, frontier = _replay_entries(heads)
        if count != size:
            raise _Mismatch(f"log state records {size} entries; {count} are stored")
        if frontier != stored_frontier:
            raise _Mismatch("log state frontier does not match the recomputed tree")
    except _Mismatch as mismatch:
        return LogVerification(False, size, len(heads), str(mismatch))
    return LogVerification(True, size, len(heads))


def _check_head_signature(head: TreeHead, public_key: Ed25519PublicKey) -> None:
    if head.key_id != signing.key_id(head.origin, public_key).hex():
        raise _Mismatch(f"tree head {head.pk} is signed by unknown key {head.key_id}")
    body = signing.checkpoint_body(head.origin, head.size, bytes(head.root_hash), head.timestamp)
    try:
        public_key.verify(bytes(head.signature), body.encode("utf-8"))
    except InvalidSignature as exc:
        raise _Mismatch(
            f"tree head {head.pk} (size {head.size}): signature does not verify"
        ) from exc


def _check_entry(entry: LedgerEntry, expected_index: int) -> bytes:
    if entry.index != expected_index:
        raise _Mismatch(f"entry {expected_index} is missing (next stored is {entry.index})")
    try:
        text = canonical_text(
            entry_document(
                index=entry.index,
                kind=entry.kind,
                payload=entry.payload,
                recorded_at=entry.created_at,
            )
        )
    except ValidationError as exc:
        raise _Mismatch(f"entry {entry.index}: stored row is not canonical: {exc.message}") from exc
    if text != entry.canonical:
        raise _Mismatch(f"entry {entry.index}: kind, payload or time differs from what was hashed")
    leaf = merkle.leaf_hash(text.encode("utf-8"))
    if leaf != bytes(entry.leaf_hash):
        raise _Mismatch(f"entry {entry.index}: leaf hash does not match its canonical text")
    return leaf


def _replay_entries(heads: list[TreeHead]) -> tuple[int, list[bytes]]:
    """Rebuild the tree entry by entry; compare subtree rows and head roots on the way."""
    heads_by_size: dict[int, list[TreeHead]] = {}
    for head in heads:
        heads_by_size.setdefault(head.size, []).append(head)
    frontier: list[bytes] = []
    _check_head_roots(heads_by_size.get(0, []), frontier)
    count = 0
    completed: dict[tuple[int, int], bytes] = {}
    entries = LedgerEntry.objects.order_by("index").only(
        "index", "kind", "payload", "canonical", "leaf_hash", "created_at"
    )
    for entry in entries.iterator(chunk_size=VERIFY_CHUNK):
        leaf = _check_entry(entry, count)
        frontier, new_nodes = merkle.append_leaf(frontier, count, leaf)
        completed.update(((level, node), digest) for level, node, digest in new_nodes)
        count += 1
        _check_head_roots(heads_by_size.get(count, []), frontier)
        if len(completed) >= SUBTREE_BATCH:
            _check_subtrees(completed)
            completed = {}
    _check_subtrees(completed)
    return count, frontier


def _check_head_roots(heads: list[TreeHead], frontier: list[bytes]) -> None:
    root = merkle.frontier_root(frontier)
    for head in heads:
        if bytes(head.root_hash) != root:
            raise _Mismatch(
                f"tree head {head.pk} (size {head.size}): signed root differs from the stored log"
            )


def _check_subtrees(expected: dict[tuple[int, int], bytes]) -> None:
    if not expected:
        return
    stored = {
        (level, index): bytes(digest)
        for level, index, digest in SubtreeHash.objects.filter(pk__in=list(expected)).values_list(
            "level", "index", "hash"
        )
    }
    for key, digest in sorted(expected.items()):
        if stored.get(key) != digest:
            level, index = key
            raise _Mismatch(
                f"stored subtree hash at level {level}, index {index} is wrong or missing"
            )
