"""The HTTP SMS gateway adapter, against a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import transaction

from loket.notify import services
from loket.notify.channels import HttpSmsGateway, PermanentError, TransientError
from loket.notify.models import OutboxMessage


@dataclass
class FakeGateway:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    stall: threading.Event | None = None  # when set, requests wait on it


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    state = FakeGateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state.stall is not None:
                state.stall.wait(5)
                return
            state.requests.append({"headers": dict(self.headers), "json": json.loads(body)})
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "gw-1"}')

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    try:
        yield state
    finally:
        if state.stall is not None:
            state.stall.set()
        server.shutdown()
        server.server_close()


def _sms(pk: int = 7) -> OutboxMessage:
    return OutboxMessage(pk=pk, channel="sms", recipient="+6281234567890", body="Halo Bapak/Ibu")


def test_gateway_receives_the_number_text_and_bearer_token(gateway: FakeGateway) -> None:
    HttpSmsGateway(url=gateway.url, token="s3cret").send(_sms())

    [request] = gateway.requests
    assert request["json"] == {"to": "+6281234567890", "message": "Halo Bapak/Ibu"}
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["Idempotency-Key"] == "loket-outbox-7"


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_gateway_server_errors_are_transient(gateway: FakeGateway, status: int) -> None:
    gateway.status = status
    with pytest.raises(TransientError, match=str(status)):
        HttpSmsGateway(url=gateway.url, token="t").send(_sms())


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_gateway_client_errors_are_permanent(gateway: FakeGateway, status: int) -> None:
    gateway.status = status
    with pytest.raises(PermanentError, match=str(status)):
        HttpSmsGateway(url=gateway.url, token="t").send(_sms())


def test_gateway_timeout_is_transient(gateway: FakeGateway) -> None:
    gateway.stall = threading.Event()
    with pytest.raises(TransientError, match="timed out"):
        HttpSmsGateway(url=gateway.url, token="t", timeout=0.2).send(_sms())


def test_unreachable_gateway_is_transient() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(TransientError, match="unreachable"):
        HttpSmsGateway(url=f"http://127.0.0.1:{closed}/sms", token="t").send(_sms())


def test_unconfigured_gateway_keeps_messages_waiting() -> None:
    with pytest.raises(TransientError, match="LOKET_SMS_GATEWAY_URL"):
        HttpSmsGateway(url="", token="").send(_sms())


@pytest.mark.django_db(transaction=True)
def test_sms_notification_is_delivered_through_the_configured_http_gateway(
    gateway: FakeGateway, settings: Any, dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    settings.LOKET_SMS_BACKEND = "loket.notify.channels.HttpSmsGateway"
    settings.LOKET_SMS_GATEWAY_URL = gateway.url
    settings.LOKET_SMS_GATEWAY_TOKEN = "token-123"
    with transaction.atomic():
        [message] = services.enqueue(
            event="returned",
            language="id",
            phone="+62 812 3456 7890",
            context={**case_context, "reason": "Foto KTP buram"},
            dedupe_key="case-1:returned:1",
        )

    report = services.deliver_due()

    assert report.sent == 1
    [request] = gateway.requests
    assert request["json"]["to"] == "+6281234567890"
    assert request["json"]["message"].startswith("Permohonan IUM-2026-000123 perlu dilengkapi")
    assert request["headers"]["Authorization"] == "Bearer token-123"
    message.refresh_from_db()
    assert message.status == "sent"
