"""What operators use: `loket notify deliver`, the admin's read-only outbox and its retry action."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from loket.notify import services
from loket.notify.models import OutboxMessage
from tests.conftest_smtp import SmtpServer
from tests.helpers import login_with_second_factor

pytestmark = pytest.mark.django_db(transaction=True)


def _enqueue(context: dict[str, Any], key: str) -> OutboxMessage:
    with transaction.atomic():
        [message] = services.enqueue(
            event="received",
            language="en",
            email="dewi@example.id",
            context=context,
            dedupe_key=key,
        )
    return message


def test_deliver_command_sends_everything_due_in_one_pass(
    smtp_server: SmtpServer, dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    for n in range(3):
        _enqueue(case_context, f"case-{n}:received")
    out = io.StringIO()

    call_command("notify", "deliver", "--batch", "2", stdout=out)

    assert "sent 3," in out.getvalue()
    assert len(smtp_server.messages) == 3
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_status_command_counts_messages_by_status(
    dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    _enqueue(case_context, "a")
    out = io.StringIO()

    call_command("notify", "status", stdout=out)

    assert "pending  1" in out.getvalue()
    assert "sent     0" in out.getvalue()


@pytest.fixture
def admin_client_(django_user_model: Any) -> Client:
    admin = django_user_model.objects.create_superuser("root", "root@example.id", "pw-Loket-2026")
    client = Client()
    login_with_second_factor(client, admin)
    return client


def test_admin_shows_the_recipient_masked(
    admin_client_: Client, dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    message = _enqueue(case_context, "a")

    listing = admin_client_.get(reverse("admin:notify_outboxmessage_changelist"))
    detail = admin_client_.get(reverse("admin:notify_outboxmessage_change", args=[message.pk]))

    for page in (listing, detail):
        assert page.status_code == 200
        assert b"dewi@example.id" not in page.content
        assert b"de***@example.id" in page.content


def test_admin_hides_bodies_that_may_carry_an_access_code(
    admin_client_: Client, dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    with transaction.atomic():
        [secret] = services.enqueue(
            event="received",
            language="en",
            email="dewi@example.id",
            context={**case_context, "access_code": "K7PQ2MXA"},
            dedupe_key="with-code",
        )
        [plain] = services.enqueue(
            event="returned",
            language="en",
            email="dewi@example.id",
            context={**case_context, "reason": "Foto KTP buram."},
            dedupe_key="returned",
        )

    hidden = admin_client_.get(reverse("admin:notify_outboxmessage_change", args=[secret.pk]))
    shown = admin_client_.get(reverse("admin:notify_outboxmessage_change", args=[plain.pk]))

    assert hidden.status_code == shown.status_code == 200
    assert b"K7PQ2MXA" not in hidden.content
    assert b"disembunyikan: pesan ini dapat memuat kode akses" in hidden.content
    assert b"Foto KTP buram." in shown.content


def test_admin_retry_now_sends_a_dead_message_again(
    admin_client_: Client,
    smtp_server: SmtpServer,
    immediate_tasks: Any,
    case_context: dict[str, Any],
) -> None:
    smtp_server.refuse(1, code=421)
    message = _enqueue(case_context, "a")  # the prompt attempt is refused
    OutboxMessage.objects.filter(pk=message.pk).update(status="dead", attempts=10)

    response = admin_client_.post(
        reverse("admin:notify_outboxmessage_changelist"),
        {"action": "retry_now", "_selected_action": [message.pk]},
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "sent"
    assert len(smtp_server.messages) == 1


def test_retry_now_leaves_sent_messages_alone(
    dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    message = _enqueue(case_context, "a")
    OutboxMessage.objects.filter(pk=message.pk).update(status="sent")

    assert services.retry_now(message_ids=[message.pk]) == 0


def test_purge_deletes_only_old_finished_messages(
    dummy_tasks: Any, case_context: dict[str, Any]
) -> None:
    import datetime as dt

    from django.utils import timezone

    old = _enqueue(case_context, "old")
    recent = _enqueue(case_context, "recent")
    waiting = _enqueue(case_context, "waiting")
    long_ago = timezone.now() - dt.timedelta(days=400)
    OutboxMessage.objects.filter(pk__in=[old.pk, waiting.pk]).update(created_at=long_ago)
    OutboxMessage.objects.filter(pk__in=[old.pk, recent.pk]).update(status="sent")

    out = io.StringIO()
    call_command("notify", "purge", "--days", "180", stdout=out)

    assert "deleted 1 messages" in out.getvalue()
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
