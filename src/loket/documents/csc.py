"""The ``csc`` signer kind: a remote signing service speaking the Cloud Signature
Consortium API (v1), the interface qualified remote signing services expose.

Settings: ``LOKET_SIGNING_CSC_URL`` (base URL, before ``/csc/v1``) and
``LOKET_SIGNING_CSC_CREDENTIAL`` (the credential ID; ``{agency}`` is replaced by
the agency code). From the environment only: ``LOKET_SIGNING_CSC_TOKEN`` (OAuth
bearer token) and ``LOKET_SIGNING_CSC_PIN`` (if the service asks for one).
Each signature is authorised for its own hash (hash pinning).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import aiohttp
from django.core.exceptions import ImproperlyConfigured
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

from loket.documents.signing import AgencySigner, _setting, configured_trust_roots, register

TIMEOUT_SECONDS = 30


class _HashPinnedAuthorization(CSCAuthorizationManager):
    """Asks `credentials/authorize` for a SAD bound to exactly the hashes being signed."""

    def __init__(
        self, info: CSCServiceSessionInfo, credential: CSCCredentialInfo, pin: str | None
    ) -> None:
        super().__init__(info, credential)
        self.pin = pin
        self.session: aiohttp.ClientSession | None = None  # bound for each signature

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        assert self.session is not None, "bound by AgencySigner.async_session"
        request = self.format_csc_auth_request(
            num_signatures=len(hash_b64s), pin=self.pin, hash_b64s=hash_b64s
        )
        async with self.session.post(
            self.csc_session_info.endpoint_url("credentials/authorize"),
            headers=self.auth_headers,
            json=request,
            raise_for_status=True,
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
        ) as response:
            answer = await response.json()
        return CSCAuthorizationInfo(sad=str(answer["SAD"]))


async def _credential(info: CSCServiceSessionInfo) -> CSCCredentialInfo:
    async with aiohttp.ClientSession() as session:
        return await fetch_certs_in_csc_credential(session, info, timeout=TIMEOUT_SECONDS)


@register("csc")
@contextmanager
def csc_signer(agency_code: str, agency_name: str) -> Iterator[AgencySigner]:
    url = _setting("LOKET_SIGNING_CSC_URL")
    credential_id = _setting("LOKET_SIGNING_CSC_CREDENTIAL").replace("{agency}", agency_code)
    if not url or not credential_id:
        raise ImproperlyConfigured(
            "LOKET_SIGNING_CSC_URL and LOKET_SIGNING_CSC_CREDENTIAL name the remote signer"
        )
    info = CSCServiceSessionInfo(
        url, credential_id, oauth_token=os.environ.get("LOKET_SIGNING_CSC_TOKEN") or None
    )
    # The certificates first: the document prints the issuer before it is signed.
    credential = asyncio.run(_credential(info))
    authorization = _HashPinnedAuthorization(
        info, credential, os.environ.get("LOKET_SIGNING_CSC_PIN") or None
    )
    remote = CSCSigner(session=None, auth_manager=authorization)  # type: ignore[arg-type]

    @asynccontextmanager
    async def bound() -> AsyncIterator[None]:
        # aiohttp sessions belong to one event loop: one per signature.
        async with aiohttp.ClientSession() as session:
            remote.session = session
            authorization.session = session
            yield

    yield AgencySigner(remote, configured_trust_roots(), "csc", async_session=bound)
