"""A real SMTP server on loopback for tests, registered as a pytest plugin in tests/conftest.py.

Any test can take the ``smtp_server`` fixture: Django is switched to the SMTP
e-mail backend pointed at an aiosmtpd server on 127.0.0.1 (a random free port),
and every message the server accepts is in ``smtp_server.messages``, parsed::

    def test_applicant_gets_mail(smtp_server):
        ...  # do something that sends e-mail
        [mail] = smtp_server.messages
        assert mail["Subject"] == "..."
        assert mail.rcpt_tos == ["budi@example.id"]
        assert "..." in mail.text

``smtp_server.refuse(count, code=451)`` makes the server refuse the next
``count`` messages (451 = try later, 550 = mailbox unavailable).
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

_REPLIES = {
    421: "421 4.3.2 Service shutting down, try again later",
    451: "451 4.3.0 Temporary failure, try again later",
    550: "550 5.1.1 Mailbox unavailable",
    554: "554 5.6.0 Message rejected",
}


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def __getitem__(self, header: str) -> Any:
        return self.message[header]

    @property
    def text(self) -> str:
        """The plain-text body, decoded (UTF-8 and transfer encodings undone)."""
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "the message has no text/plain part"
        return str(part.get_content())


class _Mailbox:
    """The aiosmtpd handler: stores what it accepts, refuses on request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[ReceivedMail] = []
        self._refusals: list[int] = []

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self._refusals.clear()

    def refuse(self, count: int, code: int = 451) -> None:
        with self._lock:
            self._refusals.extend([code] * count)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            if self._refusals:
                code = self._refusals.pop(0)
                return _REPLIES.get(code, f"{code} Refused")
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 OK"


class _LoopbackController(Controller):
    """aiosmtpd's Controller bound to port 0: the OS picks a free port, we read it back."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    def __init__(self, host: str, port: int, mailbox: _Mailbox) -> None:
        self.host = host
        self.port = port
        self._mailbox = mailbox

    @property
    def messages(self) -> list[ReceivedMail]:
        return list(self._mailbox.messages)

    def refuse(self, count: int, code: int = 451) -> None:
        self._mailbox.refuse(count, code)


@pytest.fixture(scope="session")
def _smtp_controller() -> Iterator[tuple[_LoopbackController, _Mailbox]]:
    mailbox = _Mailbox()
    controller = _LoopbackController(mailbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield controller, mailbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(
    _smtp_controller: tuple[_LoopbackController, _Mailbox], settings: Any
) -> SmtpServer:
    """Django sends real e-mail over SMTP to a loopback server; the test reads it there."""
    controller, mailbox = _smtp_controller
    mailbox.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return SmtpServer("127.0.0.1", controller.port, mailbox)
