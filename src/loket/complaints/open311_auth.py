"""The one place the Open311 endpoint asks whether an `api_key` may create requests.

Until the integrators' machine accounts (`loket apikey create --scope open311`) land,
keys are the minimal `Open311Key` rows made by `loket open311-key create --name N`;
pointing this function at the machine-account model is the only change needed then.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from loket.complaints.models import Open311Key


def _digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def key_is_valid(api_key: str) -> bool:
    """Whether `api_key` belongs to an active integrator allowed to post requests."""
    if not api_key or len(api_key) > 200:
        return False
    digest = _digest(api_key)
    stored = Open311Key.objects.filter(key_hash=digest, is_active=True).values_list(
        "key_hash", flat=True
    )
    return any(hmac.compare_digest(digest, value) for value in stored)


def create_key(*, name: str) -> str:
    """Create a key for an integrator; the key is returned once and stored only hashed."""
    api_key = "o311_" + secrets.token_urlsafe(32)
    Open311Key.objects.create(name=name, key_hash=_digest(api_key))
    return api_key
