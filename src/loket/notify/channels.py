"""Delivery channels. Each one sends a single OutboxMessage or says why it could not.

Every channel has the same interface: ``send(message) -> None`` that returns when
the message has been handed over, or raises ``TransientError`` (try again later:
the server is down, busy or timed out) or ``PermanentError`` (trying again will
not help: the address is rejected). A channel may hold a connection between
sends; ``close()`` releases it at the end of a delivery pass.
"""

from __future__ import annotations

import contextlib
import json
import os
import smtplib
from typing import TYPE_CHECKING, Any, Protocol

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django.utils.module_loading import import_string

from . import conf

if TYPE_CHECKING:
    from .models import OutboxMessage


class DeliveryError(Exception):
    """A channel could not hand the message over. The text must not contain personal data."""


class TransientError(DeliveryError):
    """Worth trying again later."""


class PermanentError(DeliveryError):
    """Trying again will not help."""


class Channel(Protocol):
    def send(self, message: OutboxMessage) -> None: ...

    def close(self) -> None: ...


class EmailChannel:
    """E-mail through Django's mail backend (settings EMAIL_*), one connection per pass."""

    def __init__(self) -> None:
        self._connection: Any = None

    def send(self, message: OutboxMessage) -> None:
        if self._connection is None:
            self._connection = get_connection(fail_silently=False)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            connection=self._connection,
            headers={
                # Stable per outbox row, so in the rare at-least-once case a
                # repeated e-mail carries the same Message-ID and mail clients
                # can fold it into the first.
                "Message-ID": _message_id(message),
                "Auto-Submitted": "auto-generated",
            },
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _text in exc.recipients.values()]
            error = f"recipient refused (SMTP {', '.join(str(c) for c in codes)})"
            if codes and all(code >= 500 for code in codes):
                raise PermanentError(error) from exc
            raise TransientError(error) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            error = f"{type(exc).__name__}: SMTP {exc.smtp_code}"
            # A 5xx on the message itself (content rejected) will not change on
            # retry; a 5xx on sign-in is a configuration error an operator can fix.
            if exc.smtp_code >= 500 and isinstance(exc, smtplib.SMTPDataError):
                raise PermanentError(error) from exc
            raise TransientError(error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        if self._connection is not None:
            # A broken connection has nothing left to release.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None


def _message_id(message: OutboxMessage) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "loket.localhost"
    return f"<loket-outbox-{message.pk}@{domain}>"


class SmsGateway(Protocol):
    def send(self, message: OutboxMessage) -> None: ...

    def close(self) -> None: ...


class HttpSmsGateway:
    """POSTs ``{"to": "+62...", "message": "..."}`` with a bearer token to LOKET_SMS_GATEWAY_URL.

    5xx, 429, timeouts and connection failures are transient; other 4xx are
    permanent. The ``Idempotency-Key`` header lets a gateway that supports it
    drop a repeat of the same message.
    """

    def __init__(
        self, url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url if url is not None else conf.sms_gateway_url()
        self.token = token if token is not None else conf.sms_gateway_token()
        self.timeout = timeout if timeout is not None else conf.sms_gateway_timeout()
        self._session = requests.Session()

    def send(self, message: OutboxMessage) -> None:
        if not self.url:
            # Transient on purpose: the messages wait until an operator configures the gateway.
            raise TransientError("SMS gateway URL is not configured (LOKET_SMS_GATEWAY_URL)")
        headers = {"Idempotency-Key": f"loket-outbox-{message.pk}"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self._session.post(
                self.url,
                json={"to": message.recipient, "message": message.body},
                headers=headers,
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise TransientError("SMS gateway timed out") from exc
        except requests.RequestException as exc:
            raise TransientError(f"SMS gateway unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientError(f"SMS gateway answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentError(f"SMS gateway refused the message: HTTP {response.status_code}")

    def close(self) -> None:
        self._session.close()


class FileSmsGateway:
    """The demo gateway: appends one JSON line per SMS to DATA_DIR/sms-outbox.jsonl."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = path if path is not None else settings.DATA_DIR / "sms-outbox.jsonl"

    def send(self, message: OutboxMessage) -> None:
        line = json.dumps(
            {
                "id": message.pk,
                "to": message.recipient,
                "message": message.body,
                "at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        try:
            # One write() of one line on an O_APPEND file: concurrent workers
            # cannot interleave lines. 0600: the file holds phone numbers.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)
        except OSError as exc:
            raise TransientError(f"cannot write the SMS file: {exc.strerror}") from exc

    def close(self) -> None:
        pass


class InAppChannel:
    """In-app messages are delivered by being stored; the inbox reads them from the outbox."""

    def send(self, message: OutboxMessage) -> None:
        if message.recipient_user_id is None:
            raise PermanentError("in-app message without a recipient user")

    def close(self) -> None:
        pass


def sms_gateway() -> SmsGateway:
    gateway: SmsGateway = import_string(conf.sms_backend())()
    return gateway


def open_channels() -> dict[str, Channel]:
    """Fresh channel instances for one delivery pass."""
    from .webhooks import WebhookChannel  # it builds on the outbox's services

    return {
        "email": EmailChannel(),
        "sms": sms_gateway(),
        "inapp": InAppChannel(),
        "webhook": WebhookChannel(),
    }


__all__ = [
    "Channel",
    "DeliveryError",
    "EmailChannel",
    "FileSmsGateway",
    "HttpSmsGateway",
    "InAppChannel",
    "PermanentError",
    "TransientError",
    "open_channels",
    "sms_gateway",
]
