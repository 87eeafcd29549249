"""RFC 9162 Merkle tree: Certificate Transparency reference vectors and properties."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.ledger import merkle

# The reference tree of certificate-transparency's merkle_tree_test.cc.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_EMPTY_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, path); CT numbers leaves from 1, we from 0.
CT_PATHS = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (first size, second size, proof)
CT_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

CT_LEAF_HASHES = [merkle.leaf_hash(leaf) for leaf in CT_LEAVES]


def ct_root(size: int) -> bytes:
    return bytes.fromhex(CT_ROOTS[size - 1]) if size else bytes.fromhex(CT_EMPTY_ROOT)


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert merkle.root_hash([]).hex() == CT_EMPTY_ROOT
    assert hashlib.sha256(b"").digest() == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_root_of_reference_tree_matches_ct_vectors(size: int) -> None:
    assert merkle.root_hash(CT_LEAVES[:size]).hex() == CT_ROOTS[size - 1]


def test_frontier_built_leaf_by_leaf_gives_every_ct_root() -> None:
    frontier: list[bytes] = []
    for size, leaf in enumerate(CT_LEAF_HASHES):
        frontier, _ = merkle.append_leaf(frontier, size, leaf)
        assert merkle.frontier_root(frontier).hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), CT_PATHS)
def test_inclusion_proof_matches_ct_vectors(index: int, size: int, path: list[str]) -> None:
    accessor = merkle.in_memory_accessor(CT_LEAF_HASHES[:size])
    proof = merkle.inclusion_proof(index, size, accessor)
    assert [node.hex() for node in proof] == path
    assert merkle.verify_inclusion(CT_LEAF_HASHES[index], index, size, proof, ct_root(size))


@pytest.mark.parametrize(("first", "second", "proof"), CT_CONSISTENCY)
def test_consistency_proof_matches_ct_vectors(first: int, second: int, proof: list[str]) -> None:
    accessor = merkle.in_memory_accessor(CT_LEAF_HASHES[:second])
    generated = merkle.consistency_proof(first, second, accessor)
    assert [node.hex() for node in generated] == proof
    assert merkle.verify_consistency(first, second, ct_root(first), ct_root(second), generated)


def test_inclusion_verification_rejects_what_ct_rejects() -> None:
    index, size, path_hex = CT_PATHS[2]
    path = [bytes.fromhex(h) for h in path_hex]
    leaf, root = CT_LEAF_HASHES[index], ct_root(size)
    assert merkle.verify_inclusion(leaf, index, size, path, root)
    assert not merkle.verify_inclusion(leaf, index - 1, size, path, root)
    assert not merkle.verify_inclusion(leaf, index + 1, size, path, root)
    assert not merkle.verify_inclusion(leaf, index ^ 2, size, path, root)
    assert not merkle.verify_inclusion(leaf, index, size * 2, path, root)
    assert not merkle.verify_inclusion(leaf, index, size // 2, path, root)
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"WrongLeaf"), index, size, path, root)
    assert not merkle.verify_inclusion(leaf, index, size, path, merkle.EMPTY_ROOT)
    assert not merkle.verify_inclusion(leaf, index, size, [*path, root], root)
    assert not merkle.verify_inclusion(leaf, index, size, path[:-1], root)
    assert not merkle.verify_inclusion(leaf, index, size, [root, *path], root)
    assert not merkle.verify_inclusion(leaf, index, size, [*path, b""], root)


def test_consistency_verification_handles_trivial_and_backwards_sizes() -> None:
    empty = merkle.EMPTY_ROOT
    assert merkle.verify_consistency(0, 0, empty, empty, [])
    assert merkle.verify_consistency(0, 5, empty, ct_root(5), [])
    assert merkle.verify_consistency(3, 3, ct_root(3), ct_root(3), [])
    assert not merkle.verify_consistency(3, 3, ct_root(3), ct_root(4), [])
    assert not merkle.verify_consistency(3, 3, ct_root(3), ct_root(3), [empty])
    assert not merkle.verify_consistency(2, 1, ct_root(2), ct_root(1), [])
    assert not merkle.verify_consistency(1, 2, ct_root(1), ct_root(2), [])


def test_consistency_verification_rejects_wrong_roots_and_sizes() -> None:
    first, second, proof_hex = CT_CONSISTENCY[2]
    proof = [bytes.fromhex(h) for h in proof_hex]
    r1, r2 = ct_root(first), ct_root(second)
    assert merkle.verify_consistency(first, second, r1, r2, proof)
    assert not merkle.verify_consistency(first - 1, second, r1, r2, proof)
    assert not merkle.verify_consistency(first + 1, second, r1, r2, proof)
    assert not merkle.verify_consistency(first, second * 2, r1, r2, proof)
    assert not merkle.verify_consistency(first, second, r2, r1, proof)
    assert not merkle.verify_consistency(first, second, r1, r2, proof[:-1])
    assert not merkle.verify_consistency(first, second, r1, r2, [*proof, proof[-1]])


def test_proof_ranges_are_nodes_made_of_stored_complete_subtrees() -> None:
    assert merkle.perfect_pieces(8, 13) == [(2, 2), (0, 12)]
    with pytest.raises(ValueError, match="not a node"):
        merkle.perfect_pieces(3, 7)


def test_out_of_range_proof_requests_are_refused() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(6, 5)


# --- properties against a direct transcription of RFC 9162 ---------------------------------


def reference_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) exactly as RFC 9162 §2.1.3.1 defines it."""
    n = len(leaves)
    if n == 1:
        return []
    k = merkle.split_point(n)
    if m < k:
        return [*reference_path(m, leaves[:k]), merkle.root_from_leaf_hashes(leaves[k:])]
    return [*reference_path(m - k, leaves[k:]), merkle.root_from_leaf_hashes(leaves[:k])]


def reference_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) exactly as RFC 9162 §2.1.4.1 defines it."""
    n = len(leaves)
    if m == n:
        return [] if complete else [merkle.root_from_leaf_hashes(leaves)]
    k = merkle.split_point(n)
    if m <= k:
        return [
            *reference_subproof(m, leaves[:k], complete),
            merkle.root_from_leaf_hashes(leaves[k:]),
        ]
    return [
        *reference_subproof(m - k, leaves[k:], False),
        merkle.root_from_leaf_hashes(leaves[:k]),
    ]


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=70).map(
    lambda entries: [merkle.leaf_hash(entry) for entry in entries]
)


@given(leaves=leaf_lists, data=st.data())
def test_any_inclusion_proof_verifies_and_equals_the_rfc_definition(
    leaves: list[bytes], data: st.DataObject
) -> None:
    size = len(leaves)
    index = data.draw(st.integers(0, size - 1))
    proof = merkle.inclusion_proof(index, size, merkle.in_memory_accessor(leaves))
    assert proof == reference_path(index, leaves)
    assert merkle.verify_inclusion(
        leaves[index], index, size, proof, merkle.root_from_leaf_hashes(leaves)
    )


@given(leaves=leaf_lists, data=st.data())
def test_any_consistency_proof_verifies_and_equals_the_rfc_definition(
    leaves: list[bytes], data: st.DataObject
) -> None:
    second = len(leaves)
    first = data.draw(st.integers(0, second))
    proof = merkle.consistency_proof(first, second, merkle.in_memory_accessor(leaves))
    if 0 < first < second:
        assert proof == reference_subproof(first, leaves, True)
    first_root = merkle.root_from_leaf_hashes(leaves[:first])
    second_root = merkle.root_from_leaf_hashes(leaves)
    assert merkle.verify_consistency(first, second, first_root, second_root, proof)


@given(leaves=leaf_lists, data=st.data())
def test_a_tampered_leaf_or_proof_node_fails_inclusion(
    leaves: list[bytes], data: st.DataObject
) -> None:
    size = len(leaves)
    index = data.draw(st.integers(0, size - 1))
    root = merkle.root_from_leaf_hashes(leaves)
    proof = merkle.inclusion_proof(index, size, merkle.in_memory_accessor(leaves))
    flipped_leaf = bytes([leaves[index][0] ^ 1]) + leaves[index][1:]
    assert not merkle.verify_inclusion(flipped_leaf, index, size, proof, root)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        bad = list(proof)
        bad[position] = bytes([bad[position][0] ^ 0x80]) + bad[position][1:]
        assert not merkle.verify_inclusion(leaves[index], index, size, bad, root)


@given(leaves=st.lists(st.binary(max_size=4), min_size=2, max_size=70), data=st.data())
def test_a_tampered_consistency_proof_or_changed_history_fails(
    leaves: list[bytes], data: st.DataObject
) -> None:
    hashes = [merkle.leaf_hash(entry) for entry in leaves]
    second = len(hashes)
    first = data.draw(st.integers(1, second - 1))
    proof = merkle.consistency_proof(first, second, merkle.in_memory_accessor(hashes))
    first_root = merkle.root_from_leaf_hashes(hashes[:first])
    second_root = merkle.root_from_leaf_hashes(hashes)
    position = data.draw(st.integers(0, len(proof) - 1))
    bad = list(proof)
    bad[position] = bytes([bad[position][0] ^ 0x80]) + bad[position][1:]
    assert not merkle.verify_consistency(first, second, first_root, second_root, bad)
    # A log that rewrote an old entry cannot prove it extends the old head.
    rewritten = list(hashes)
    changed = data.draw(st.integers(0, first - 1))
    rewritten[changed] = merkle.leaf_hash(leaves[changed] + b"!")
    honest_looking = merkle.consistency_proof(first, second, merkle.in_memory_accessor(rewritten))
    rewritten_root = merkle.root_from_leaf_hashes(rewritten)
    assert not merkle.verify_consistency(first, second, first_root, rewritten_root, honest_looking)


@given(leaves=leaf_lists)
def test_frontier_tracks_the_root_and_yields_every_complete_subtree(leaves: list[bytes]) -> None:
    frontier: list[bytes] = []
    stored: dict[tuple[int, int], bytes] = {}
    for size, leaf in enumerate(leaves):
        frontier, completed = merkle.append_leaf(frontier, size, leaf)
        stored.update(((level, index), digest) for level, index, digest in completed)
        assert merkle.frontier_root(frontier) == merkle.root_from_leaf_hashes(leaves[: size + 1])
    accessor = merkle.in_memory_accessor(leaves)
    for (level, index), digest in stored.items():
        assert digest == accessor(index << level, (index + 1) << level)
    expected_count = sum(len(leaves) >> level for level in range(1, len(leaves).bit_length()))
    assert len(stored) == expected_count
