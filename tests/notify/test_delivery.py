"""Delivering the outbox over real SMTP: after commit, with retries, dead letters and crashes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from loket.notify import channels, conf, services
from loket.notify.models import OutboxMessage
from tests.conftest_smtp import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)


def _enqueue_email(context: dict[str, Any], key: str = "case-1:received") -> OutboxMessage:
    with transaction.atomic():
        [message] = services.enqueue(
            event="received",
            language="id",
            email="dewi@example.id",
            context=context,
            dedupe_key=key,
        )
    return message


def test_committed_notification_arrives_at_the_smtp_server(
    smtp_server: SmtpServer, immediate_tasks: None, case_context: dict[str, Any]
) -> None:
    message = _enqueue_email(case_context)

    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["dewi@example.id"]
    assert mail["To"] == "dewi@example.id"
    assert mail["Subject"] == "Permohonan IUM-2026-000123 telah kami terima"
    assert "Yth. Bapak/Ibu Ni Luh Putu Déwi" in mail.text
    assert "Izin Usaha Mikro – Kuliner & Minuman" in mail.text
    assert "5 Maret 2026" in mail.text
    assert mail["Message-ID"] == f"<loket-outbox-{message.pk}@loket.localhost>"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert message.sent_at is not None


def test_rolled_back_transaction_leaves_no_message_and_sends_nothing(
    smtp_server: SmtpServer, immediate_tasks: None, case_context: dict[str, Any]
) -> None:
    class CaseRejected(Exception):
        pass

    with pytest.raises(CaseRejected), transaction.atomic():
        services.enqueue(
            event="received",
            language="id",
            email="dewi@example.id",
            context=case_context,
            dedupe_key="case-1:received",
        )
        raise CaseRejected

    assert OutboxMessage.objects.count() == 0
    assert smtp_server.messages == []


def test_delivery_is_requested_only_after_commit(
    dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    with transaction.atomic():
        [message] = services.enqueue(
            event="received",
            language="id",
            email="dewi@example.id",
            context=case_context,
            dedupe_key="k",
        )
        assert dummy_tasks.results == []

    [requested] = dummy_tasks.results
    assert requested.task.name == "deliver_outbox"
    assert requested.kwargs == {"message_ids": [message.pk]}


def test_a_lost_delivery_task_is_made_up_for_by_the_sweep(
    smtp_server: SmtpServer, dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    message = _enqueue_email(case_context)  # the task is recorded but never runs

    report = services.sweep_outbox()

    assert report.sent == 1
    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert message.status == "sent"


def test_refused_message_is_retried_after_a_backoff_and_sent_once(
    smtp_server: SmtpServer, dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    message = _enqueue_email(case_context)
    smtp_server.refuse(1, code=451)
    now = timezone.now()

    first = services.deliver_due(now=now)

    message.refresh_from_db()
    assert (first.retrying, message.status, message.attempts) == (1, "pending", 1)
    assert "SMTP 451" in message.last_error
    # First retry after 1 minute, jittered between 30 and 60 seconds.
    assert (
        now + dt.timedelta(seconds=30) <= message.next_attempt_at <= now + dt.timedelta(minutes=1)
    )
    assert services.deliver_due(now=now).claimed == 0  # not due yet

    second = services.deliver_due(now=message.next_attempt_at)

    message.refresh_from_db()
    assert (second.sent, message.status, message.attempts) == (1, "sent", 2)
    assert message.last_error == ""
    assert len(smtp_server.messages) == 1


def test_permanently_refused_message_fails_without_retrying(
    smtp_server: SmtpServer, dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    message = _enqueue_email(case_context)
    smtp_server.refuse(1, code=554)

    report = services.deliver_due()

    message.refresh_from_db()
    assert (report.failed, message.status) == (1, "failed")
    assert services.deliver_due(now=timezone.now() + dt.timedelta(days=1)).claimed == 0
    assert smtp_server.messages == []


def test_message_is_dead_lettered_after_the_configured_attempts(
    smtp_server: SmtpServer, dummy_tasks: Any, case_context: dict[str, Any], settings: Any
) -> None:
    settings.LOKET_NOTIFY_MAX_ATTEMPTS = 3
    message = _enqueue_email(case_context)
    smtp_server.refuse(10, code=421)
    later = timezone.now()

    outcomes = []
    for _ in range(5):
        later += dt.timedelta(hours=7)  # past the 6-hour cap on backoff
        report = services.deliver_due(now=later)
        outcomes.append((report.retrying, report.dead))

    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0), (0, 0)]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 3)
    assert "dewi@example.id" not in message.last_error
    assert smtp_server.messages == []


def test_unreachable_mail_server_is_a_transient_failure(
    smtp_server: SmtpServer, dummy_tasks: Any, case_context: dict[str, Any], settings: Any
) -> None:
    message = _enqueue_email(case_context)
    settings.EMAIL_PORT = _closed_port()

    report = services.deliver_due()

    message.refresh_from_db()
    assert (report.retrying, message.status) == (1, "pending")
    assert "ConnectionRefusedError" in message.last_error


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it runs, not even `except Exception`."""


def _kill_worker_during_send(monkeypatch: pytest.MonkeyPatch, *, after_handover: bool) -> None:
    real_send = channels.EmailChannel.send

    def dying_send(self: channels.EmailChannel, message: OutboxMessage) -> None:
        monkeypatch.setattr(channels.EmailChannel, "send", real_send)  # only the first time
        if after_handover:
            real_send(self, message)
        raise WorkerKilled

    monkeypatch.setattr(channels.EmailChannel, "send", dying_send)


def test_worker_killed_before_handover_loses_nothing_and_sends_once(
    smtp_server: SmtpServer,
    dummy_tasks: Any,
    case_context: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    message = _enqueue_email(case_context)
    _kill_worker_during_send(monkeypatch, after_handover=False)
    now = timezone.now()
    with pytest.raises(WorkerKilled):
        services.deliver_due(now=now)
    message.refresh_from_db()
    assert message.status == "sending"

    # Another worker, while the lease still runs, must leave it alone.
    assert services.sweep_outbox(now=now + dt.timedelta(minutes=5)).claimed == 0
    after_lease = now + conf.lease() + dt.timedelta(seconds=1)
    report = services.sweep_outbox(now=after_lease)
    services.sweep_outbox(now=after_lease + dt.timedelta(hours=1))

    assert (report.released, report.sent) == (1, 1)
    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_worker_killed_after_handover_resends_once_with_the_same_message_id(
    smtp_server: SmtpServer,
    dummy_tasks: Any,
    case_context: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    # The documented at-least-once edge: the server had the mail, the worker
    # died before recording it. It is sent again exactly once, and the repeat
    # carries the same Message-ID so mail clients can fold it.
    _enqueue_email(case_context)
    _kill_worker_during_send(monkeypatch, after_handover=True)
    now = timezone.now()
    with pytest.raises(WorkerKilled):
        services.deliver_due(now=now)

    after_lease = now + conf.lease() + dt.timedelta(seconds=1)
    services.sweep_outbox(now=after_lease)
    services.sweep_outbox(now=after_lease + dt.timedelta(hours=1))

    first, repeat = smtp_server.messages
    assert first["Message-ID"] == repeat["Message-ID"]


def test_sms_is_written_by_the_demo_file_gateway(
    dummy_tasks: Any, case_context: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    import json

    settings.DATA_DIR = tmp_path
    settings.LOKET_SMS_BACKEND = "loket.notify.channels.FileSmsGateway"
    with transaction.atomic():
        [message] = services.enqueue(
            event="issued",
            language="en",
            phone="0812 3456 7890",
            context={**case_context, "document_url": "https://loket.example/d/1"},
            dedupe_key="case-1:issued",
        )

    services.deliver_due()

    [line] = (tmp_path / "sms-outbox.jsonl").read_text().splitlines()
    sms = json.loads(line)
    assert sms["to"] == "+6281234567890"
    assert sms["message"].startswith("The document for your application IUM-2026-000123")
    assert (tmp_path / "sms-outbox.jsonl").stat().st_mode & 0o077 == 0
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_message_that_kills_its_worker_every_time_ends_up_dead(
    smtp_server: SmtpServer,
    dummy_tasks: Any,
    case_context: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    settings.LOKET_NOTIFY_MAX_ATTEMPTS = 2
    message = _enqueue_email(case_context)

    def always_dying(self: channels.EmailChannel, message: OutboxMessage) -> None:
        raise WorkerKilled

    monkeypatch.setattr(channels.EmailChannel, "send", always_dying)
    now = timezone.now()
    for _ in range(2):
        with pytest.raises(WorkerKilled):
            services.sweep_outbox(now=now)
        now += conf.lease() + dt.timedelta(seconds=1)

    report = services.sweep_outbox(now=now)

    assert (report.released, report.claimed) == (1, 0)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 2)
    assert "lease expired" in message.last_error


def test_the_loket_worker_delivers_what_the_database_queue_holds(
    smtp_server: SmtpServer, case_context: dict[str, Any]
) -> None:
    from django.core.management import call_command

    message = _enqueue_email(case_context)  # the default database task backend
    assert smtp_server.messages == []

    call_command("worker", "--batch", "--no-schedule")

    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["dewi@example.id"]
    message.refresh_from_db()
    assert message.status == "sent"
