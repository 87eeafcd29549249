"""Proofs from stored subtree hashes: correct, and O(log n) rows at any size."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import translation

from loket.core.errors import NotFound, ValidationError
from loket.ledger import merkle, services
from loket.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaves(fill_log: Callable) -> list[bytes]:
    return [bytes(entry.leaf_hash) for entry in fill_log(21)]


def test_inclusion_proofs_from_the_database_equal_the_in_memory_tree(leaves: list[bytes]) -> None:
    accessor = merkle.in_memory_accessor(leaves)
    for tree_size in (1, 2, 7, 8, 13, 21):
        root = merkle.root_from_leaf_hashes(leaves[:tree_size])
        for index in range(tree_size):
            proof = services.inclusion_proof(index, tree_size)
            assert proof.path == merkle.inclusion_proof(index, tree_size, accessor)
            assert proof.root_hash == root
            assert merkle.verify_inclusion(proof.leaf_hash, index, tree_size, proof.path, root)


def test_consistency_proofs_from_the_database_verify_between_any_sizes(
    leaves: list[bytes],
) -> None:
    for first in range(22):
        for second in range(first, 22):
            proof = services.consistency_proof(first, second)
            assert proof.first_root == merkle.root_from_leaf_hashes(leaves[:first])
            assert proof.second_root == merkle.root_from_leaf_hashes(leaves[:second])
            assert merkle.verify_consistency(
                first, second, proof.first_root, proof.second_root, proof.path
            )


def test_proof_requests_outside_the_log_are_clear_errors(leaves: list[bytes]) -> None:
    with pytest.raises(NotFound):
        services.inclusion_proof(21, 21)
    with pytest.raises(ValidationError, match="tree_size"):
        services.inclusion_proof(3, 22)
    with translation.override("en"), pytest.raises(ValidationError, match="not in a tree of 3"):
        services.inclusion_proof(5, 3)
    with pytest.raises(ValidationError, match="second"):
        services.consistency_proof(1, 40)
    with pytest.raises(ValidationError, match="first"):
        services.consistency_proof(9, 8)


def test_a_missing_subtree_row_is_reported_not_papered_over(leaves: list[bytes]) -> None:
    from loket.ledger.models import SubtreeHash

    SubtreeHash.objects.filter(level=4, index=0).delete()
    with pytest.raises(services.LedgerIntegrityError, match="missing"):
        services.inclusion_proof(20, 21)


def test_proofs_on_a_large_log_read_a_few_queries_of_log_n_rows(
    fill_log: Callable, django_assert_max_num_queries: Callable
) -> None:
    fill_log(5000)
    # Each proof: the log size, then one query for leaf hashes and one for
    # subtree rows, each with at most ~2·log2(n) keys; never the whole log.
    with django_assert_max_num_queries(3) as captured:
        proof = services.inclusion_proof(4321, 4999)
    assert len(proof.path) <= 13
    with django_assert_max_num_queries(3):
        consistency = services.consistency_proof(1234, 5000)
    assert merkle.verify_consistency(
        1234, 5000, consistency.first_root, consistency.second_root, consistency.path
    )
    largest_query = max(len(query["sql"]) for query in captured.captured_queries)
    assert largest_query < 2000  # the keys of O(log n) rows, not a scan of 5,000
    leaf = bytes(LedgerEntry.objects.get(index=4321).leaf_hash)
    assert merkle.verify_inclusion(leaf, 4321, 4999, proof.path, services.root_hash_at(4999))
