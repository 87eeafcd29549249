"""Migration 0003 encrypts the bodies already in the outbox, and its reverse restores them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from loket.core import pii

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("notify", "0002_webhook_subscription")]
AFTER = [("notify", "0003_outbox_body_encrypted")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _bodies() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM notify_outboxmessage ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def test_existing_bodies_are_encrypted_and_restored() -> None:
    _migrate(BEFORE)
    with connection.cursor() as cursor:
        for n, body in enumerate(["Yth. Budi, kode akses: K7PQ2MXA", ""]):
            cursor.execute(
                "INSERT INTO notify_outboxmessage (channel, recipient, language, event, subject,"
                " body, dedupe_key, status, attempts, next_attempt_at, last_error, created_at,"
                " claim_token) VALUES ('email', '', 'id', 'received', 's', %s, %s, 'pending', 0,"
                " CURRENT_TIMESTAMP, '', CURRENT_TIMESTAMP, '')",
                [body, f"key-{n}"],
            )
    try:
        _migrate(AFTER)
        stored, empty = _bodies()
        assert "K7PQ2MXA" not in stored
        assert pii.decrypt(stored) == "Yth. Budi, kode akses: K7PQ2MXA"
        assert empty == ""

        _migrate(BEFORE)
        assert _bodies() == ["Yth. Budi, kode akses: K7PQ2MXA", ""]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM notify_outboxmessage")
        _migrate(AFTER)
