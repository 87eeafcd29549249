"""The one place the Open311 endpoint asks whether an `api_key` may create requests.

Keys are the integrators' machine accounts (`loket apikey create --scope open311`),
scoped, expiring and revocable like every other machine key; a key works only for the
jurisdiction of the agency it was made for.
"""

from __future__ import annotations

from loket.accounts.machine_accounts import account_for_key


def key_is_valid(api_key: str, *, agency_id: int) -> bool:
    """Whether `api_key` belongs to a usable machine account of this agency with the
    `open311` scope."""
    if not api_key or len(api_key) > 200:
        return False
    account = account_for_key(api_key)
    return account is not None and account.has_scope("open311") and account.agency_id == agency_id
