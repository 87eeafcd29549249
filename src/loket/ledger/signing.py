"""The log key and the checkpoint text format (C2SP tlog-checkpoint in a C2SP signed note).

A checkpoint is a signed note whose body is::

    <origin>
    <tree size, decimal>
    <root hash, standard base64>
    Timestamp: <milliseconds since the Unix epoch>

followed by a blank line and one signature line
``— <origin> <base64(4-byte key ID || 64-byte Ed25519 signature)>``. The
signature covers the body including its final newline. The key ID is the
first four bytes of SHA-256(key name || 0x0A || 0x01 || public key), so Go's
``golang.org/x/mod/sumdb/note`` and other signed-note tooling verify it with
the verifier key :func:`verifier_key` prints.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from loket.core.durable import create_once

ED25519_SIGNATURE_TYPE = b"\x01"
DEFAULT_KEY_FILENAME = "ledger_ed25519.pem"
SIGNATURE_PREFIX = "— "  # U+2014 EM DASH, then a space, as signed notes require


def log_origin() -> str:
    """The log's name: ``LOKET_LOG_ORIGIN``, else ``<public host>/ledger``."""
    origin = getattr(settings, "LOKET_LOG_ORIGIN", "") or (
        f"{urlsplit(settings.PUBLIC_BASE_URL).netloc or 'loket.localhost'}/ledger"
    )
    if not origin or any(ch.isspace() or ch == "+" for ch in origin):
        raise ImproperlyConfigured("LOKET_LOG_ORIGIN must be non-empty, without spaces or '+'")
    return origin


def _key_path() -> tuple[Path, bool]:
    configured = getattr(settings, "LOKET_LOG_KEY", "")
    if configured:
        return Path(configured), False
    return Path(settings.DATA_DIR) / DEFAULT_KEY_FILENAME, True


def _create_key_file(path: Path) -> None:
    """Write a new key with mode 0600, synced; if another process won the race, keep
    theirs (core.durable)."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    create_once(path, pem)


def load_private_key() -> Ed25519PrivateKey:
    """The log's signing key, generated on first use unless ``LOKET_LOG_KEY`` names one."""
    path, may_create = _key_path()
    if not path.exists():
        if not may_create:
            raise ImproperlyConfigured(f"LOKET_LOG_KEY points to {path}, which does not exist")
        _create_key_file(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 private key")
    return key


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The signed-note key ID: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    material = name.encode() + b"\n" + ED25519_SIGNATURE_TYPE + public_key_bytes(public_key)
    return hashlib.sha256(material).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The signed-note verifier key text: ``<name>+<hex key ID>+<base64(0x01 || key)>``."""
    encoded = base64.b64encode(ED25519_SIGNATURE_TYPE + public_key_bytes(public_key)).decode()
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def timestamp_millis(moment: dt.datetime) -> int:
    return (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(milliseconds=1)


def checkpoint_body(origin: str, size: int, root_hash: bytes, timestamp: dt.datetime) -> str:
    root = base64.b64encode(root_hash).decode()
    return f"{origin}\n{size}\n{root}\nTimestamp: {timestamp_millis(timestamp)}\n"


def sign_body(body: str, private_key: Ed25519PrivateKey) -> bytes:
    return private_key.sign(body.encode("utf-8"))


def signed_note(body: str, name: str, key_id_bytes: bytes, signature: bytes) -> str:
    encoded = base64.b64encode(key_id_bytes + signature).decode()
    return f"{body}\n{SIGNATURE_PREFIX}{name} {encoded}\n"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    timestamp_ms: int


def open_checkpoint(note: str, name: str, public_key: Ed25519PublicKey) -> Checkpoint:
    """Verify a signed checkpoint note with ``public_key`` and parse its body.

    Raises ``ValueError`` when the note is malformed or carries no valid
    signature by that key: what a client of the API would do.
    """
    body, separator, signatures = note.rpartition("\n\n")
    if not separator:
        raise ValueError("not a signed note: no blank line before the signatures")
    body += "\n"
    wanted_id = key_id(name, public_key)
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise ValueError("malformed signature line")
        signer, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        raw = base64.b64decode(encoded, validate=True)
        if signer != name or raw[:4] != wanted_id:
            continue  # a signature by some other key (a witness): not ours to check
        try:
            public_key.verify(raw[4:], body.encode("utf-8"))
        except InvalidSignature as exc:
            raise ValueError("signature does not verify") from exc
        return _parse_checkpoint_body(body)
    raise ValueError(f"no signature by {name}")


def _parse_checkpoint_body(body: str) -> Checkpoint:
    lines = body.split("\n")[:-1]
    if len(lines) < 3:
        raise ValueError("a checkpoint has at least three lines")
    timestamps = [line for line in lines[3:] if line.startswith("Timestamp: ")]
    if len(timestamps) != 1:
        raise ValueError("checkpoint has no timestamp line")
    root = base64.b64decode(lines[2], validate=True)
    if len(root) != 32 or not (lines[1].isascii() and lines[1].isdigit()):
        raise ValueError("checkpoint size or root hash is malformed")
    return Checkpoint(
        origin=lines[0],
        size=int(lines[1]),
        root_hash=root,
        timestamp_ms=int(timestamps[0].removeprefix("Timestamp: ")),
    )
