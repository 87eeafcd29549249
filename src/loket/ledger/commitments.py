"""Commitments and pseudonyms for what the public ledger must not show in clear.

The ledger is public, so a plain SHA-256 of guessable text (a reason, a
document number, a tracking number) would let anyone confirm a guess. Instead:

- a *commitment* is ``HMAC-SHA256(salt, text)`` with a 32-byte salt that is
  not published; whoever is given the salt and the text (the holder of a
  document, an auditor) can recompute it, nobody else can test guesses;
- a *pseudonym* is ``HMAC-SHA256(LEDGER_COMMITMENT_KEY, purpose ‖ value)``: a
  stable handle (e.g. one per case, linking its public events) that opens
  nothing.

Salts that need no storage are derived from ``LEDGER_COMMITMENT_KEY`` and
the item they belong to, so the server can open one commitment (disclose its
salt) without disclosing the key. :func:`commit` is pure: offline verifiers use it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SALT_BYTES = 32


def commit(salt: bytes, text: str) -> str:
    """Hex HMAC-SHA256 of the UTF-8 text under the salt (docs/ledger.md, "Commitments")."""
    return hmac.new(salt, text.encode("utf-8"), hashlib.sha256).hexdigest()


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def encode_salt(salt: bytes) -> str:
    return base64.b64encode(salt).decode("ascii")


def decode_salt(text: str) -> bytes:
    """The salt from its base64 form; raises ValueError for anything else."""
    salt = base64.b64decode(text.encode("ascii"), validate=True)
    if len(salt) != SALT_BYTES:
        raise ValueError(f"a commitment salt is {SALT_BYTES} bytes")
    return salt


def _keyed(purpose: str, value: str) -> bytes:
    from django.conf import settings

    key = str(settings.LEDGER_COMMITMENT_KEY).encode("utf-8")
    return hmac.new(key, f"{purpose}\n{value}".encode(), hashlib.sha256).digest()


def derived_salt(purpose: str, value: str) -> bytes:
    """A salt for one item (``purpose``, ``value``), reproducible only with the server's key."""
    return _keyed(f"salt:{purpose}", value)


def pseudonym(purpose: str, value: str) -> str:
    """A stable hex handle for ``value`` that cannot be reversed or tested without the key."""
    return _keyed(f"pseudonym:{purpose}", value).hex()
