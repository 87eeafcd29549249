"""Entries recorded before the public-data rule stay in the log but are not served in clear."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from loket.ledger import merkle, services

pytestmark = pytest.mark.django_db

OLD_EVENT = {"tracking_number": "IUM-2026-000001", "kind": "claimed", "officer_nip":
             "198001012005012001", "data_hash": "ab" * 32}  # fmt: skip
NEW_EVENT = {"case": "cd" * 32, "kind": "decided", "data_commitment": "ef" * 32}


def _append(*payloads: dict) -> list[int]:
    with transaction.atomic():
        return [services.append(kind="case.event", payload=p).index for p in payloads]


def test_an_old_entry_with_a_nip_is_withheld_but_still_proves_its_place(client: Client) -> None:
    old, new = _append(OLD_EVENT, NEW_EVENT)
    body = client.get(f"/api/v1/ledger/entries/{old}").json()
    assert body["withheld"] is True
    assert body["payload"] is None and body["canonical"] is None
    assert "198001012005012001" not in str(body) and "IUM-2026" not in str(body)
    # The leaf hash and its inclusion proof still lead to the signed root.
    path = [base64.b64decode(node) for node in body["inclusion_proof"]]
    assert merkle.verify_inclusion(
        base64.b64decode(body["leaf_hash"]), old, body["tree_size"], path,
        base64.b64decode(body["checkpoint"]["root_hash"]),
    )  # fmt: skip
    shown = client.get(f"/api/v1/ledger/entries/{new}").json()
    assert shown["withheld"] is False and shown["payload"] == NEW_EVENT


def test_withholding_changes_nothing_stored_so_the_log_still_verifies() -> None:
    [old] = _append(OLD_EVENT)
    call_command("ledger", "verify")
    assert services.entry_with_proof(old).entry.payload == OLD_EVENT
