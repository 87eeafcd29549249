"""Webhooks for machine accounts: subscribe, signed deliveries through the outbox, retries."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from loket.accounts import machine_accounts
from loket.notify import services, webhooks
from loket.notify.models import OutboxMessage, Status
from tests.cases.conftest import fast_passwords, post_application, token_for

__all__ = ["fast_passwords", "token_for"]

pytestmark = pytest.mark.django_db


@dataclass
class Receiver:
    url: str = ""
    failures_left: int = 0  # answer 503 this many times first
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append({"headers": dict(self.headers), "body": body})
            failing = state.failures_left > 0
            state.failures_left -= 1
            self.send_response(503 if failing else 204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _key(*scopes: str, name: str = "") -> dict[str, str]:
    name = name or f"crm-{'-'.join(scopes)}"
    key, _account = machine_accounts.create(
        name=name, scopes=list(scopes), created_by="test", agency_code="kota-contoh"
    )
    return {"Authorization": f"Bearer {key}"}


def _subscribe(client: Client, headers: dict[str, str], url: str, *types: str) -> Any:
    return client.post(
        "/api/v1/webhooks",
        json.dumps({"url": url, "event_types": list(types)}),
        content_type="application/json",
        headers=headers,
    )


def _deliver_until_done(rounds: int = 5) -> None:
    later = timezone.now()
    for _round in range(rounds):
        later += dt.timedelta(days=1)  # past any backoff
        services.deliver_due(now=later)


def test_test_event_is_signed_and_retried_until_the_receiver_takes_it(
    demo: Any, client: Client, receiver: Receiver
) -> None:
    headers = _key("webhooks")
    created = _subscribe(client, headers, receiver.url, "case.submitted")
    assert created.status_code == 201, created.content
    secret, subscription_id = created.json()["secret"], created.json()["id"]
    receiver.failures_left = 2

    sent = client.post(f"/api/v1/webhooks/{subscription_id}/test", headers=headers)
    assert sent.status_code == 202
    _deliver_until_done()

    assert len(receiver.received) == 3
    last = receiver.received[-1]
    assert webhooks.verify(secret, last["headers"]["Loket-Signature"], last["body"])
    assert not webhooks.verify("whsec_other", last["headers"]["Loket-Signature"], last["body"])
    assert json.loads(last["body"])["type"] == "ping"
    log = client.get(f"/api/v1/webhooks/{subscription_id}/deliveries", headers=headers).json()
    assert [(d["status"], d["attempts"]) for d in log] == [("sent", 3)]
    assert OutboxMessage.objects.filter(channel="webhook", status=Status.SENT).count() == 1


def test_a_stale_signature_is_refused_by_verify() -> None:
    body = b'{"type": "ping"}'
    old = webhooks.sign("whsec_x", int(timezone.now().timestamp()) - 3600, body)
    assert not webhooks.verify("whsec_x", old, body)


def test_a_submitted_case_is_published_to_subscribers_of_its_agency(
    demo: Any, client: Client, receiver: Receiver
) -> None:
    headers = _key("webhooks")
    secret = _subscribe(client, headers, receiver.url, "case.submitted").json()["secret"]
    number = post_application(client).json()["tracking_number"]
    _deliver_until_done(1)
    [delivery] = receiver.received
    payload = json.loads(delivery["body"])
    assert payload["type"] == "case.submitted"
    assert payload["data"]["tracking_number"] == number
    assert "3273055504900003" not in delivery["body"].decode()  # no personal data
    assert webhooks.verify(secret, delivery["headers"]["Loket-Signature"], delivery["body"])


def test_webhooks_need_the_scope_and_see_only_their_own(demo: Any, client: Client) -> None:
    assert _subscribe(client, _key("cases:read"), "https://x.example/h", "ping").status_code == 403
    mine, theirs = _key("webhooks"), _key("webhooks", name="other")
    created = _subscribe(client, mine, "https://x.example/h", "ping").json()
    assert client.get("/api/v1/webhooks", headers=theirs).json() == []
    assert client.post(f"/api/v1/webhooks/{created['id']}/test", headers=theirs).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=mine).status_code == 204
    assert client.get("/api/v1/webhooks", headers=mine).json() == []


def test_an_unknown_event_type_is_a_422_naming_the_field(demo: Any, client: Client) -> None:
    response = _subscribe(client, _key("webhooks"), "https://x.example/h", "case.exploded")
    assert response.status_code == 422
    assert response.json()["field"] == "event_types"


def test_return_resubmission_and_revocation_are_published(
    demo: Any, client: Client, receiver: Receiver, token_for: Any
) -> None:
    from loket.cases import services as cases
    from loket.cases.models import Case, Task, TaskStatus
    from loket.documents.models import IssuedDocument
    from loket.documents.services import revoke
    from loket.org.models import Officer
    from tests.verify.test_privacy import MICRO, _approve

    headers = _key("webhooks")
    secret = _subscribe(
        client, headers, receiver.url, "case.returned", "case.resubmitted", "document.revoked"
    ).json()["secret"]
    number = post_application(client).json()["tracking_number"]
    case = Case.objects.get(tracking_number=number)
    task = Task.objects.get(case=case, status=TaskStatus.OPEN)
    andi = Officer.objects.get(user__username="andi")
    cases.decide(task_id=task.pk, officer=andi, decision="return", reason="Foto KTP buram")
    cases.resubmit(case_id=case.pk, data={"alamat_usaha": "Jl. Merdeka No. 2"})
    _approve(client, token_for, number, MICRO["officers"])
    licence = IssuedDocument.objects.get(case=case)
    revoke(document=licence, officer=licence.issued_by, reason="Izin dicabut atas permintaan")
    _deliver_until_done(1)

    payloads = {json.loads(d["body"])["type"]: json.loads(d["body"]) for d in receiver.received}
    assert sorted(payloads) == ["case.resubmitted", "case.returned", "document.revoked"]
    assert len(receiver.received) == 3
    assert all(p["data"]["tracking_number"] == number for p in payloads.values())
    assert payloads["case.returned"]["data"]["status"] == "awaiting_applicant"
    assert payloads["document.revoked"]["data"]["document_number"] == licence.number
    for delivery in receiver.received:
        assert webhooks.verify(secret, delivery["headers"]["Loket-Signature"], delivery["body"])
        body = delivery["body"].decode()
        assert "Foto KTP buram" not in body and "dicabut" not in body  # reasons stay inside
        assert "3273055504900003" not in body


def test_only_active_subscriptions_of_the_agency_asking_for_the_type_are_published(
    demo: Any, client: Client
) -> None:
    from django.db import transaction

    from loket.notify.models import WebhookSubscription

    headers = _key("webhooks")
    wanted = _subscribe(client, headers, "https://hook.example.id/a", "case.decided").json()
    _subscribe(client, headers, "https://hook.example.id/b", "case.submitted")
    paused = _subscribe(client, headers, "https://hook.example.id/c", "case.decided").json()
    WebhookSubscription.objects.filter(pk=paused["id"]).update(is_active=False)
    agency_id = WebhookSubscription.objects.get(pk=wanted["id"]).machine_account.agency_id

    with transaction.atomic():
        ids = webhooks.publish(agency_id=agency_id, event_type="case.decided", data={})
        others = webhooks.publish(agency_id=agency_id + 999, event_type="case.decided", data={})
    assert [OutboxMessage.objects.get(pk=pk).recipient for pk in ids] == [f"webhook:{wanted['id']}"]
    assert others == []


def test_a_decision_publishes_to_subscriptions_as_they_stand_at_that_moment(
    demo: Any, client: Client
) -> None:
    from loket.cases import services as cases
    from loket.cases.models import Case, Task, TaskStatus
    from loket.notify.models import WebhookSubscription
    from loket.org.models import Officer

    def decided_messages() -> int:
        return OutboxMessage.objects.filter(event="case.decided").count()

    number = post_application(client).json()["tracking_number"]  # nobody subscribed yet
    case = Case.objects.get(tracking_number=number)
    headers = _key("webhooks")
    created = _subscribe(client, headers, "https://hook.example.id/d", "case.decided").json()
    task = Task.objects.get(case=case, status=TaskStatus.OPEN)
    cases.decide(task_id=task.pk, officer=Officer.objects.get(user__username="andi"),
                 decision="approve")  # fmt: skip
    assert decided_messages() == 1  # subscribed after the submission, before the decision

    WebhookSubscription.objects.filter(pk=created["id"]).update(is_active=False)
    task = Task.objects.get(case=case, status=TaskStatus.OPEN)
    cases.decide(task_id=task.pk, officer=Officer.objects.get(user__username="siti"),
                 decision="approve")  # fmt: skip
    assert decided_messages() == 1  # paused before the next decision: nothing more
