"""Merkle tree hashing and proofs of RFC 9162 §2.1 (the tree of Certificate Transparency).

Pure functions, no Django. Proof generation is written against a *subtree
hash accessor*: a callable ``subtree_hash(start, end)`` returning the Merkle
Tree Hash of leaves ``[start, end)``. Every range a proof asks for is a node of
the tree (its start aligned to a power of two at least as wide as the node), so
a store that keeps the hashes of complete aligned subtrees answers each one
with at most ``log2(n)`` lookups (:func:`perfect_pieces`). :func:`inclusion_ranges`
and :func:`consistency_ranges` name the ranges up front so such a store can
fetch everything a proof needs in one query.

The compact "frontier" (hashes of the complete subtrees that make up a tree of
size n, largest first) lets an appender keep the root and produce the new
complete-subtree hashes in amortised O(1) work per leaf (:func:`append_leaf`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32
# MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeHash = Callable[[int, int], bytes]
"""Returns the Merkle Tree Hash of the leaves in ``[start, end)``."""

Range = tuple[int, int]


def leaf_hash(data: bytes) -> bytes:
    """MTH of a one-entry list: SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (``size`` > 1)."""
    if size < 2:
        raise ValueError("a tree of fewer than two leaves has no split")
    return 1 << ((size - 1).bit_length() - 1)


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over already-hashed leaves, by the definition of RFC 9162 §2.1.1."""
    if not leaf_hashes:
        return EMPTY_ROOT
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def root_hash(entries: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over raw entries (each is leaf-hashed first)."""
    return root_from_leaf_hashes([leaf_hash(entry) for entry in entries])


def _mth(hashes: Sequence[bytes], start: int, end: int) -> bytes:
    if end - start == 1:
        return hashes[start]
    middle = start + split_point(end - start)
    return node_hash(_mth(hashes, start, middle), _mth(hashes, middle, end))


def in_memory_accessor(leaf_hashes: Sequence[bytes]) -> SubtreeHash:
    """A subtree hash accessor over a list of leaf hashes (tests, small trees)."""

    def subtree_hash(start: int, end: int) -> bytes:
        if not 0 <= start < end <= len(leaf_hashes):
            raise ValueError(f"range [{start}, {end}) outside a tree of {len(leaf_hashes)}")
        return _mth(leaf_hashes, start, end)

    return subtree_hash


# --- decomposition into complete subtrees -------------------------------------------------


def perfect_pieces(start: int, end: int) -> list[tuple[int, int]]:
    """Complete aligned subtrees, as ``(level, index)``, whose fold is MTH of ``[start, end)``.

    Level ``l``, index ``k`` is the complete subtree over ``[k·2^l, (k+1)·2^l)``.
    Valid for any range that is a node of a tree (proof ranges always are); the
    pieces are the binary decomposition of the range's size, largest first.
    """
    if not 0 <= start < end:
        raise ValueError(f"empty or negative range [{start}, {end})")
    pieces = []
    position = start
    remaining = end - start
    while remaining:
        level = remaining.bit_length() - 1
        width = 1 << level
        if position % width:
            raise ValueError(f"range [{start}, {end}) is not a node of the tree")
        pieces.append((level, position >> level))
        position += width
        remaining -= width
    return pieces


def fold_pieces(hashes: Sequence[bytes]) -> bytes:
    """Combine the hashes of :func:`perfect_pieces` (largest first) into one MTH."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for piece in reversed(hashes[:-1]):
        result = node_hash(piece, result)
    return result


# --- the appender's frontier ---------------------------------------------------------------


def append_leaf(
    frontier: Sequence[bytes], size: int, new_leaf_hash: bytes
) -> tuple[list[bytes], list[tuple[int, int, bytes]]]:
    """Add one leaf to a tree of ``size`` leaves whose frontier is given.

    Returns the new frontier and the complete subtrees of level >= 1 that the
    leaf completed, as ``(level, index, hash)``. Like incrementing a binary
    counter: each trailing one bit of ``size`` merges one frontier hash.
    """
    if len(frontier) != size.bit_count():
        raise ValueError("frontier does not match the tree size")
    merged = list(frontier)
    carry = new_leaf_hash
    completed = []
    level = 0
    remaining = size
    while remaining & 1:
        carry = node_hash(merged.pop(), carry)
        level += 1
        remaining >>= 1
        completed.append((level, ((size + 1) >> level) - 1, carry))
    merged.append(carry)
    return merged, completed


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """Root hash of the tree whose frontier is given."""
    return fold_pieces(frontier)


# --- inclusion proofs (RFC 9162 §2.1.3) ----------------------------------------------------


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtree ranges whose hashes form PATH(index, D[size]), leaf end first."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is not in a tree of {size} entries")
    ranges: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + split_point(end - start)
        if index < middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start = middle
    ranges.reverse()
    return ranges


def inclusion_proof(index: int, size: int, subtree_hash: SubtreeHash) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1."""
    return [subtree_hash(start, end) for start, end in inclusion_ranges(index, size)]


def root_from_inclusion_proof(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes | None:
    """The root implied by a proof (RFC 9162 §2.1.3.2), or None if the proof is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0 or len(sibling) != HASH_SIZE:
            return None
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return result if sn == 0 else None


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True when ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree with ``root``."""
    return root_from_inclusion_proof(index, size, leaf, proof) == root


# --- consistency proofs (RFC 9162 §2.1.4) --------------------------------------------------


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The subtree ranges whose hashes form PROOF(first, D[second]), in proof order."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    if first in (0, second):
        return []
    ranges: list[Range] = []
    start, end, m = 0, second, first
    is_complete_old_tree = True
    while end - start != m:
        k = split_point(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            m -= k
            is_complete_old_tree = False
    if not is_complete_old_tree:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def consistency_proof(first: int, second: int, subtree_hash: SubtreeHash) -> list[bytes]:
    """PROOF(first, D[second]) of RFC 9162 §2.1.4.1 (empty when first is 0 or second)."""
    return [subtree_hash(start, end) for start, end in consistency_ranges(first, second)]


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when ``proof`` shows the tree of ``second_root`` extends that of ``first_root``.

    RFC 9162 §2.1.4.2. The empty tree is a prefix of every tree, so ``first == 0``
    needs an empty proof and the empty root.
    """
    if not 0 <= first <= second or any(len(node) != HASH_SIZE for node in proof):
        return False
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # first is a power of two: its root is a node of both trees
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(node, fr)
            sr = node_hash(node, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
