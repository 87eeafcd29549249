"""The public ledger API, checked the way an outside verifier would."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.test import Client

from loket.ledger import merkle, services, signing
from loket.ledger.models import TreeHead

pytestmark = pytest.mark.django_db


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def trusted_key(client: Client):  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/ledger/public-key").json()
    return load_pem_public_key(body["public_key_pem"].encode())


def test_public_key_is_published_with_its_signed_note_identity(client: Client) -> None:
    response = client.get("/api/v1/ledger/public-key")
    assert response.status_code == 200
    body = response.json()
    key = load_pem_public_key(body["public_key_pem"].encode())
    assert body["origin"] == "loket.test/ledger"
    assert body["algorithm"] == "Ed25519"
    assert body["key_id"] == signing.key_id("loket.test/ledger", key).hex()  # type: ignore[arg-type]
    assert body["verifier_key"].startswith(f"loket.test/ledger+{body['key_id']}+")


def test_checkpoint_is_a_verifiable_signed_note(client: Client, fill_log: Callable) -> None:
    fill_log(9)
    services.sign_tree_head()
    body = client.get("/api/v1/ledger/checkpoint").json()
    checkpoint = signing.open_checkpoint(body["checkpoint"], body["origin"], trusted_key(client))
    assert checkpoint.size == body["tree_size"] == 9
    assert checkpoint.root_hash == b64(body["root_hash"]) == services.root_hash_at(9)


def test_checkpoint_is_signed_on_demand_when_none_exists(client: Client) -> None:
    response = client.get("/api/v1/ledger/checkpoint")
    assert response.status_code == 200
    assert response.json()["tree_size"] == 0
    assert TreeHead.objects.count() == 1


def test_entry_comes_with_a_proof_against_the_latest_signed_head(
    client: Client, fill_log: Callable
) -> None:
    fill_log(12)
    services.sign_tree_head()
    body = client.get("/api/v1/ledger/entries/5").json()
    assert body["kind"] == "case.step"
    assert body["payload"] == {"case": "C-1", "step": 5}
    leaf = merkle.leaf_hash(body["canonical"].encode())
    assert b64(body["leaf_hash"]) == leaf
    checkpoint = signing.open_checkpoint(
        body["checkpoint"]["checkpoint"], "loket.test/ledger", trusted_key(client)
    )
    assert body["tree_size"] == checkpoint.size == 12
    proof = [b64(node) for node in body["inclusion_proof"]]
    assert merkle.verify_inclusion(leaf, 5, 12, proof, checkpoint.root_hash)


def test_an_entry_newer_than_the_latest_head_gets_a_fresh_head(
    client: Client, fill_log: Callable
) -> None:
    fill_log(3)
    services.sign_tree_head()
    fill_log(2)
    body = client.get("/api/v1/ledger/entries/4").json()
    assert body["tree_size"] == 5
    assert body["checkpoint"]["tree_size"] == 5


def test_entry_proof_for_a_chosen_tree_size(client: Client, fill_log: Callable) -> None:
    fill_log(10)
    body = client.get("/api/v1/ledger/entries/2?tree_size=7").json()
    proof = [b64(node) for node in body["inclusion_proof"]]
    assert body["checkpoint"] is None  # no head was signed at size 7
    assert merkle.verify_inclusion(b64(body["leaf_hash"]), 2, 7, proof, services.root_hash_at(7))
    assert b64(body["root_hash"]) == services.root_hash_at(7)


def test_unknown_entry_is_a_problem_404(client: Client, fill_log: Callable) -> None:
    fill_log(2)
    response = client.get("/api/v1/ledger/entries/2")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Buku besar tidak memiliki entri 2."
    english = client.get("/api/v1/ledger/entries/2", headers={"Accept-Language": "en"})
    assert english.json()["detail"] == "The ledger has no entry 2."
    assert client.get(f"/api/v1/ledger/entries/{10**30}").status_code == 404
    assert client.get("/api/v1/ledger/entries/-1").status_code == 404


def test_tree_size_not_covering_the_entry_is_a_problem_422(
    client: Client, fill_log: Callable
) -> None:
    fill_log(4)
    response = client.get("/api/v1/ledger/entries/3?tree_size=2")
    assert response.status_code == 422
    assert response.json()["field"] == "tree_size"
    assert client.get("/api/v1/ledger/entries/0?tree_size=0").status_code == 422
    assert client.get("/api/v1/ledger/entries/0?tree_size=abc").status_code == 422
    assert client.get(f"/api/v1/ledger/entries/0?tree_size={10**30}").status_code == 422


def test_consistency_between_two_signed_heads_verifies(client: Client, fill_log: Callable) -> None:
    fill_log(6)
    old = services.sign_tree_head()
    fill_log(7)
    new = services.sign_tree_head()
    body = client.get(f"/api/v1/ledger/consistency?first={old.size}&second={new.size}").json()
    proof = [b64(node) for node in body["proof"]]
    assert merkle.verify_consistency(6, 13, bytes(old.root_hash), bytes(new.root_hash), proof)
    assert b64(body["first_root"]) == bytes(old.root_hash)
    assert b64(body["second_root"]) == bytes(new.root_hash)


def test_consistency_with_sizes_beyond_the_log_is_a_problem(
    client: Client, fill_log: Callable
) -> None:
    fill_log(3)
    response = client.get("/api/v1/ledger/consistency?first=2&second=9")
    assert response.status_code == 422
    assert response.json()["field"] == "second"
    assert client.get("/api/v1/ledger/consistency?first=3&second=2").status_code == 422
    assert client.get("/api/v1/ledger/consistency?first=-1&second=2").status_code == 422
    assert client.get(f"/api/v1/ledger/consistency?first=1&second={10**30}").status_code == 422


def test_checkpoint_covers_every_entry_appended_so_far(client: Client) -> None:
    from django.db import transaction

    from loket.ledger.services import append

    with transaction.atomic():
        append(kind="test.entry", payload={"n": 1})
    first = client.get("/api/v1/ledger/checkpoint").json()
    with transaction.atomic():
        append(kind="test.entry", payload={"n": 2})
    second = client.get("/api/v1/ledger/checkpoint").json()
    again = client.get("/api/v1/ledger/checkpoint").json()
    assert (first["tree_size"], second["tree_size"]) == (1, 2)
    assert again == second  # nothing new: the same head, no new signature
