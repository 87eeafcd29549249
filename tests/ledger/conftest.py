"""Ledger test helpers: a log filled through the public append operation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import transaction
from pytest_django import Settings

from loket.ledger import services
from loket.ledger.models import LedgerEntry


@pytest.fixture(autouse=True)
def log_key(tmp_path: Path, settings: Settings) -> Path:
    """Each test signs with its own freshly generated key."""
    settings.DATA_DIR = tmp_path
    settings.LOKET_LOG_KEY = ""
    settings.LOKET_LOG_ORIGIN = "loket.test/ledger"
    return tmp_path / "ledger_ed25519.pem"


@pytest.fixture
def fill_log() -> Callable[[int], list[LedgerEntry]]:
    def fill(count: int, kind: str = "case.step") -> list[LedgerEntry]:
        entries = []
        with transaction.atomic():
            for step in range(count):
                entries.append(services.append(kind=kind, payload={"case": "C-1", "step": step}))
        return entries

    return fill
