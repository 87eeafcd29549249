"""Signed tree heads, the log key, periodic signing, and tamper detection."""

from __future__ import annotations

import base64
import hashlib
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from pytest_django import Settings

from loket.ledger import merkle, services, signing
from loket.ledger.models import LedgerEntry, LogState, SubtreeHash, TreeHead
from loket.ledger.tasks import sign_tree_head_task

pytestmark = pytest.mark.django_db


def test_log_key_is_generated_on_first_use_readable_only_by_its_owner(log_key: Path) -> None:
    assert not log_key.exists()
    first = signing.load_private_key()
    assert stat.S_IMODE(log_key.stat().st_mode) == 0o600
    again = signing.load_private_key()
    assert signing.public_key_bytes(first.public_key()) == signing.public_key_bytes(
        again.public_key()
    )


def test_a_configured_key_file_is_used_and_a_missing_one_is_an_error(
    tmp_path: Path, settings: Settings
) -> None:
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "agency.pem"
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    settings.LOKET_LOG_KEY = str(path)
    loaded = signing.load_private_key().public_key()
    assert signing.public_key_bytes(loaded) == signing.public_key_bytes(key.public_key())
    settings.LOKET_LOG_KEY = str(tmp_path / "absent.pem")
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        signing.load_private_key()


def test_signed_checkpoint_verifies_as_a_signed_note(fill_log: Callable) -> None:
    entries = fill_log(6)
    head = services.sign_tree_head()
    note = services.checkpoint_text(head)
    public_key = signing.load_private_key().public_key()
    checkpoint = signing.open_checkpoint(note, "loket.test/ledger", public_key)
    assert checkpoint.origin == "loket.test/ledger"
    assert checkpoint.size == 6
    assert checkpoint.root_hash == merkle.root_from_leaf_hashes(
        [bytes(entry.leaf_hash) for entry in entries]
    )
    assert checkpoint.timestamp_ms == signing.timestamp_millis(head.timestamp)
    body, _, signature_line = note.rpartition("\n\n")
    assert body.split("\n")[:3] == [
        "loket.test/ledger",
        "6",
        base64.b64encode(checkpoint.root_hash).decode(),
    ]
    assert signature_line.startswith("— loket.test/ledger ")


def test_a_checkpoint_with_a_changed_size_fails_signature_verification(fill_log: Callable) -> None:
    fill_log(3)
    note = services.checkpoint_text(services.sign_tree_head())
    public_key = signing.load_private_key().public_key()
    forged = note.replace("\n3\n", "\n4\n", 1)
    with pytest.raises(ValueError, match="does not verify"):
        signing.open_checkpoint(forged, "loket.test/ledger", public_key)


def test_key_id_and_verifier_key_follow_the_signed_note_spec() -> None:
    public_key = signing.load_private_key().public_key()
    raw = signing.public_key_bytes(public_key)
    expected_id = hashlib.sha256(b"loket.test/ledger\n\x01" + raw).digest()[:4]
    assert signing.key_id("loket.test/ledger", public_key) == expected_id
    name, key_hex, encoded = signing.verifier_key("loket.test/ledger", public_key).split("+", 2)
    assert (name, key_hex) == ("loket.test/ledger", expected_id.hex())
    assert base64.b64decode(encoded) == b"\x01" + raw


def test_empty_log_head_signs_the_empty_root() -> None:
    head = services.sign_tree_head()
    assert head.size == 0
    assert bytes(head.root_hash) == merkle.EMPTY_ROOT


def test_periodic_task_signs_only_when_the_log_grew(fill_log: Callable) -> None:
    fill_log(2)
    assert sign_tree_head_task.call() == 2
    assert sign_tree_head_task.call() is None
    fill_log(1)
    assert sign_tree_head_task.call() == 3
    assert list(TreeHead.objects.values_list("size", flat=True).order_by("size")) == [2, 3]


# --- verification --------------------------------------------------------------------------


@pytest.fixture
def signed_log(fill_log: Callable) -> None:
    fill_log(5)
    services.sign_tree_head()
    fill_log(6)
    services.sign_tree_head()


def test_an_untouched_log_verifies(signed_log: None) -> None:
    result = services.verify_log()
    assert result.is_intact, result.reason
    assert (result.size, result.tree_heads_checked) == (11, 2)


def test_changing_a_stored_payload_is_detected(signed_log: None) -> None:
    LedgerEntry.objects.filter(index=3).update(payload={"case": "C-1", "step": 99})
    result = services.verify_log()
    assert not result.is_intact
    assert result.reason == "entry 3: kind, payload or time differs from what was hashed"


@pytest.mark.parametrize(
    "field",
    ["kind", "created_at"],
)
def test_changing_any_other_hashed_column_is_detected(signed_log: None, field: str) -> None:
    entry = LedgerEntry.objects.get(index=7)
    if field == "kind":
        entry.kind = "case.rejected"
    else:
        entry.created_at = entry.created_at.replace(year=2001)
    entry.save(update_fields=[field])
    result = services.verify_log()
    assert not result.is_intact
    assert result.reason.startswith("entry 7:")


def test_rewriting_an_entry_with_consistent_hashes_is_caught_by_the_signed_head(
    signed_log: None,
) -> None:
    # A forger rewrites payload, canonical text and leaf hash together and also
    # rebuilds the stored subtree hashes; only the signed head still disagrees.
    entry = LedgerEntry.objects.get(index=2)
    entry.payload = {"case": "C-1", "step": "forged"}
    entry.canonical = entry.canonical.replace('"step":2', '"step":"forged"')
    entry.leaf_hash = merkle.leaf_hash(entry.canonical.encode())
    entry.save()
    leaves = [bytes(e.leaf_hash) for e in LedgerEntry.objects.order_by("index")]
    accessor = merkle.in_memory_accessor(leaves)
    for node in SubtreeHash.objects.all():
        node.hash = accessor(node.index << node.level, (node.index + 1) << node.level)
        node.save()
    frontier: list[bytes] = []
    for size, leaf in enumerate(leaves):
        frontier, _ = merkle.append_leaf(frontier, size, leaf)
    LogState.objects.update(frontier=b"".join(frontier))
    result = services.verify_log()
    assert not result.is_intact
    assert "signed root differs" in result.reason


def test_a_deleted_entry_is_detected_as_a_gap(signed_log: None) -> None:
    LedgerEntry.objects.filter(index=4).delete()
    result = services.verify_log()
    assert not result.is_intact
    assert result.reason == "entry 4 is missing (next stored is 5)"


def test_a_changed_subtree_hash_is_detected(signed_log: None) -> None:
    SubtreeHash.objects.filter(level=2, index=1).update(hash=b"\x00" * 32)
    result = services.verify_log()
    assert not result.is_intact
    assert result.reason == "stored subtree hash at level 2, index 1 is wrong or missing"


def test_a_changed_tree_head_fails_its_signature(signed_log: None) -> None:
    TreeHead.objects.filter(size=5).update(size=4)
    result = services.verify_log()
    assert not result.is_intact
    assert "signature does not verify" in result.reason


def test_truncating_the_log_below_a_signed_head_is_detected(signed_log: None) -> None:
    LedgerEntry.objects.filter(index__gte=9).delete()
    LogState.objects.update(size=9)
    result = services.verify_log()
    assert not result.is_intact
    assert "covers 11 entries; the log has 9" in result.reason


def test_heads_signed_with_another_key_are_reported(signed_log: None, log_key: Path) -> None:
    log_key.unlink()  # the agency lost its key and a new one is generated
    result = services.verify_log()
    assert not result.is_intact
    assert "unknown key" in result.reason


def test_appends_keep_working_inside_larger_transactions_with_savepoints() -> None:
    with transaction.atomic():
        services.append(kind="case.submitted", payload={"n": 1})
        with pytest.raises(RuntimeError), transaction.atomic():
            services.append(kind="case.submitted", payload={"n": 2})
            raise RuntimeError("inner step failed")
        services.append(kind="case.submitted", payload={"n": 3})
    assert list(LedgerEntry.objects.values_list("index", "payload")) == [
        (0, {"n": 1}),
        (1, {"n": 3}),
    ]
    assert services.verify_log().is_intact
