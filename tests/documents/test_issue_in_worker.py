"""Issuing in the worker: the approval only asks for the licence; a worker signs it
outside any transaction; a worker killed mid-issue (a real process, SIGKILL) is
replaced and the licence still comes out once, with one number, the ledger intact."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from loket.cases.models import Case, CaseEvent, CaseStatus
from loket.documents import signing
from loket.documents.models import DocumentSequence, IssuedDocument, IssueRequest
from loket.documents.services import read_stored
from loket.ledger.models import LedgerEntry
from loket.ledger.services import verify_log
from loket.portal.access import PROVEN
from tests.cases.conftest import (  # noqa: F401  (fixtures)
    fast_passwords,
    post_application,
    token_for,
)
from tests.documents.test_signers import _approve_all


def _approved(client, token_for) -> tuple[Case, str]:  # noqa: F811
    response = post_application(client)
    assert response.status_code == 201, response.content
    number, code = response.json()["tracking_number"], response.json()["access_code"]
    _approve_all(client, token_for, number)
    return Case.objects.get(tracking_number=number), code


def _tracked(client, case: Case, code: str) -> dict:
    response = client.get(
        f"/api/v1/applications/{case.tracking_number}", headers={"X-Access-Code": code}
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db(transaction=True)
def test_the_approval_commits_the_request_and_the_worker_issues_the_licence(
    demo,
    client,
    token_for,  # noqa: F811
    smtp_server,
):
    case, code = _approved(client, token_for)

    # The officer's click committed the approval and the request, nothing signed yet.
    assert case.status == CaseStatus.IN_PROGRESS
    assert CaseEvent.objects.filter(case=case, kind="decided", action="approve").count() == 3
    assert not IssuedDocument.objects.filter(case=case).exists()
    [request] = IssueRequest.objects.filter(case=case)
    assert (request.number, request.done_at) == ("", None)
    tracked = _tracked(client, case, code)
    assert (tracked["licence_pending"], tracked["issued_documents"]) == (True, [])

    call_command("worker", "--batch", "--no-schedule")

    tracked = _tracked(client, case, code)
    assert tracked["licence_pending"] is False
    assert len(tracked["issued_documents"]) == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    [document] = IssuedDocument.objects.filter(case=case)
    request.refresh_from_db()
    assert (request.number, request.issued_id) == (document.number, document.pk)
    assert signing.validate_pdf_signature(read_stored(document.pdf)).is_ok
    assert CaseEvent.objects.filter(case=case, kind="issued").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_tracking_page_says_the_licence_is_being_issued_until_it_is(
    demo,
    client,
    token_for,  # noqa: F811
    smtp_server,
):
    case, _code = _approved(client, token_for)
    session = client.session
    session[PROVEN] = [case.tracking_number]
    session.save()
    page = client.get(f"/lacak/{case.tracking_number}/")
    assert page.status_code == 200
    assert 'data-testid="licence-pending"' in page.content.decode()

    call_command("worker", "--batch", "--no-schedule")

    page = client.get(f"/lacak/{case.tracking_number}/")
    assert 'data-testid="licence-pending"' not in page.content.decode()
    assert 'data-testid="issued-documents"' in page.content.decode()


class HangingTimestampAuthority:
    """A TSA on loopback that takes the request and never answers: the signer waits."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.asked = threading.Event()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.listener.accept()
            except OSError:
                return
            self._held.append(conn)
            conn.recv(65536)
            self.asked.set()

    def close(self) -> None:
        for conn in self._held:
            conn.close()
        self.listener.close()


@pytest.fixture
def hanging_tsa() -> Iterator[HangingTimestampAuthority]:
    tsa = HangingTimestampAuthority()
    yield tsa
    tsa.close()


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    loket = Path(sys.executable).with_name("loket")
    return subprocess.Popen(
        [str(loket), "worker", "--batch", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_issue_is_replaced_and_the_licence_comes_out_once(
    demo,
    client,
    token_for,  # noqa: F811
    smtp_server,
    hanging_tsa,
):
    case, _code = _approved(client, token_for)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        # The same keys and files as this process (its data directory is fixed at import).
        "LOKET_DATA_DIR": str(settings.DATA_DIR),
        "LOKET_ISSUE_LEASE_SECONDS": "2",
    }
    env.pop("LOKET_SIGNING_TSA_URL", None)

    # The first worker reserves the number, then waits on the timestamp inside signing.
    first = _worker({**env, "LOKET_SIGNING_TSA_URL": hanging_tsa.url}, "--no-schedule")
    try:
        assert hanging_tsa.asked.wait(timeout=180), first.stdout.read().decode()[-2000:]  # type: ignore[union-attr]
        [request] = IssueRequest.objects.filter(case=case)
        reserved = request.number
        assert reserved and request.attempts == 1
        assert not IssuedDocument.objects.filter(case=case).exists()
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL

    # Its lease runs out; the next worker's schedule sweeps the request up.
    while IssueRequest.objects.get(pk=request.pk).lease_until > timezone.now():
        time.sleep(0.2)
    second = _worker(env)
    output, _ = second.communicate(timeout=240)
    assert second.returncode == 0, output.decode()[-2000:]

    [document] = IssuedDocument.objects.filter(case=case)
    assert document.number == reserved  # the number reserved before the kill
    assert DocumentSequence.objects.get(agency=case.agency).last == 1  # one number drawn
    request.refresh_from_db()
    assert (request.issued_id, request.attempts) == (document.pk, 2)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.APPROVED
    assert CaseEvent.objects.filter(case=case, kind="issued").count() == 1
    assert LedgerEntry.objects.filter(kind="document.issued").count() == 1
    assert verify_log().is_intact
    assert signing.validate_pdf_signature(read_stored(document.pdf)).is_ok

    # Another sweep finds nothing to do: signed once, recorded once.
    call_command("worker", "--batch", "--no-schedule")
    from loket.cases import services as case_services

    assert case_services.issue_parked() == 0
    assert IssuedDocument.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_case_withdrawn_while_its_licence_is_pending_gets_no_licence(
    demo,
    client,
    token_for,  # noqa: F811
    smtp_server,
):
    from loket.cases import services as case_services

    case, _code = _approved(client, token_for)
    case_services.cancel(case_id=case.pk, reason="Tidak jadi")

    call_command("worker", "--batch", "--no-schedule")

    assert not IssuedDocument.objects.filter(case=case).exists()
    [request] = IssueRequest.objects.filter(case=case)
    assert request.done_at is not None and request.issued_id is None
    assert not CaseEvent.objects.filter(case=case, kind="issued").exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CANCELLED
