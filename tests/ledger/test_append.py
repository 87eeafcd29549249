"""Appending to the ledger: gap-free, in the caller's transaction, stored hashes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from loket.core.errors import ValidationError
from loket.ledger import merkle, services
from loket.ledger.models import LedgerEntry, LogState, SubtreeHash

pytestmark = pytest.mark.django_db


def test_entries_get_consecutive_indexes_from_zero(fill_log: Callable) -> None:
    entries = fill_log(5)
    assert [entry.index for entry in entries] == [0, 1, 2, 3, 4]
    assert LogState.objects.get().size == 5


def test_leaf_hash_covers_the_documented_canonical_entry() -> None:
    with transaction.atomic():
        entry = services.append(kind="case.submitted", payload={"case": "C-7", "fee": 50000})
    document = json.loads(entry.canonical)
    assert document == {
        "v": 1,
        "index": 0,
        "kind": "case.submitted",
        "payload": {"case": "C-7", "fee": 50000},
        "recorded_at": entry.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    assert entry.canonical == json.dumps(document, sort_keys=True, separators=(",", ":"))
    assert bytes(entry.leaf_hash) == merkle.leaf_hash(entry.canonical.encode())


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused() -> None:
    with pytest.raises(TransactionManagementError, match="inside the transaction"):
        services.append(kind="case.submitted", payload={})
    assert not LedgerEntry.objects.exists()


def test_a_rolled_back_change_leaves_no_entry_and_no_gap() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.append(kind="case.submitted", payload={"case": "lost"})
        raise RuntimeError("the change failed after its ledger entry was written")
    with transaction.atomic():
        entry = services.append(kind="case.submitted", payload={"case": "kept"})
    assert entry.index == 0
    assert LedgerEntry.objects.count() == 1


def test_bad_payloads_and_kinds_are_refused_before_anything_is_written() -> None:
    with transaction.atomic():
        with pytest.raises(ValidationError, match="floats"):
            services.append(kind="case.submitted", payload={"fee": 1.5})
        with pytest.raises(ValidationError, match="kind"):
            services.append(kind="Case Submitted", payload={})
        with pytest.raises(ValidationError, match="JSON object"):
            services.append(kind="case.submitted", payload=[1, 2])  # type: ignore[arg-type]
    assert not LedgerEntry.objects.exists()
    assert not LogState.objects.filter(size__gt=0).exists()


def test_payload_values_are_stored_in_their_canonical_json_form() -> None:
    when = dt.datetime(2025, 5, 2, 8, 0, tzinfo=dt.UTC)
    with transaction.atomic():
        entry = services.append(kind="document.issued", payload={"at": when, "ids": (1, 2)})
    entry.refresh_from_db()
    assert entry.payload == {"at": "2025-05-02T08:00:00.000000Z", "ids": [1, 2]}


def test_each_complete_subtree_is_stored_once_as_it_completes(fill_log: Callable) -> None:
    entries = fill_log(13)
    leaves = [bytes(entry.leaf_hash) for entry in entries]
    accessor = merkle.in_memory_accessor(leaves)
    stored = {(row.level, row.index): bytes(row.hash) for row in SubtreeHash.objects.all()}
    # 13 leaves: 6 pairs, 3 fours, 1 eight.
    assert sorted(stored) == [(1, i) for i in range(6)] + [(2, i) for i in range(3)] + [(3, 0)]
    for (level, index), digest in stored.items():
        assert digest == accessor(index << level, (index + 1) << level)
    assert services.root_hash_at(13) == merkle.root_from_leaf_hashes(leaves)


def test_append_costs_a_constant_number_of_queries(
    fill_log: Callable, django_assert_max_num_queries: Callable
) -> None:
    fill_log(255)  # the next append completes eight subtrees at once: the worst case
    # Locked read, read of the (empty) queue, entry, subtree hashes, state.
    with transaction.atomic(), django_assert_max_num_queries(5):
        services.append(kind="case.step", payload={"step": 255})
    assert SubtreeHash.objects.filter(level=8).count() == 1
