"""Verification codes: the secret printed on an issued document and carried by its QR code.

Whoever holds the document (paper or PDF) holds its code; the verification
page and the proof bundle answer only to it. 16 Crockford base32 characters
are 80 random bits, far beyond online guessing, and short enough to type from
paper: ``7K3Q-M9XD-2HTR-PW4A``. Only a SHA-256 digest is used to look a code
up; the code itself is stored encrypted (for the applicant's own pages).
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 16
GROUP = 4
# Characters people type for the ones Crockford leaves out.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text: str) -> str | None:
    """The code in canonical form (upper case, no separators), or None if it cannot be one."""
    cleaned = "".join(str(text).split()).replace("-", "").upper().translate(_READ_AS)
    if len(cleaned) != LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned


def formatted(code: str) -> str:
    """``7K3Q-M9XD-2HTR-PW4A``: as printed on the document."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def digest(code: str) -> str:
    """What the database keeps to find a document by its code (hex SHA-256)."""
    return hashlib.sha256(f"loket-verification-code:{code}".encode("ascii")).hexdigest()
