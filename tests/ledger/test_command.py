"""`loket ledger checkpoint|verify|public-key`."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from loket.ledger import signing
from loket.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("ledger", *args, stdout=out)
    return out.getvalue()


def test_checkpoint_signs_now_and_prints_the_note(fill_log: Callable) -> None:
    fill_log(4)
    note = run("checkpoint")
    checkpoint = signing.open_checkpoint(
        note, "loket.test/ledger", signing.load_private_key().public_key()
    )
    assert checkpoint.size == 4


def test_verify_reports_an_intact_log(fill_log: Callable) -> None:
    fill_log(3)
    run("checkpoint")
    assert run("verify").strip() == "ok: 3 entries, 1 signed tree heads verified"


def test_verify_fails_with_a_one_line_reason_when_a_row_changed(fill_log: Callable) -> None:
    fill_log(3)
    run("checkpoint")
    LedgerEntry.objects.filter(index=1).update(kind="case.forged")
    with pytest.raises(CommandError, match=r"^ledger verification failed: entry 1: ") as failure:
        run("verify")
    assert failure.value.returncode == 1
    assert "\n" not in str(failure.value)


def test_public_key_prints_pem_or_verifier_key() -> None:
    assert run("public-key").startswith("-----BEGIN PUBLIC KEY-----")
    assert run("public-key", "--vkey").startswith("loket.test/ledger+")
