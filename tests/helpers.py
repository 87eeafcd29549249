"""Small helpers shared by tests of several apps."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def login_with_second_factor(client: Client, user: AbstractBaseUser) -> Client:
    """Sign `user` in as if they had passed both password and TOTP (admin, workspace)."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def issue_requested_documents() -> int:
    """Do what the worker does after an approval: issue the licences it asked for and
    fold the queued public events into the ledger.

    The same sweep `loket worker` runs on its schedule (loket.cases.issuing), so a
    test sees the licence the way an applicant does, a moment after the approval.
    """
    from loket.cases.services import issue_parked
    from loket.ledger.services import fold_pending

    issued = issue_parked()
    fold_pending()  # and, as every round of the worker, folds queued events into the ledger
    return issued


def issue_requested_documents_in_thread() -> int:
    """`issue_requested_documents` for browser tests: signing runs its own event loop,
    which cannot start inside Playwright's, so it runs where the worker would, apart."""
    from concurrent.futures import ThreadPoolExecutor

    def run() -> int:
        from django.db import connection

        try:
            return issue_requested_documents()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()
