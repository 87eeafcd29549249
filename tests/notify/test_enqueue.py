"""Putting messages in the outbox: one per channel, rendered once, never twice for one event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from loket.core.errors import ConflictError, ValidationError
from loket.notify import services
from loket.notify.events import EVENTS
from loket.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_enqueue_writes_one_pending_message_per_channel(
    case_context: dict[str, Any], django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user("dewi")
    messages = services.enqueue(
        event="received",
        language="id",
        email="dewi@example.id",
        phone="0812-3456-7890",
        user=user,
        context=case_context,
        dedupe_key="case-1:received",
    )

    by_channel = {m.channel: m for m in messages}
    assert set(by_channel) == {"email", "sms", "inapp"}
    assert by_channel["email"].status == "pending"
    assert by_channel["email"].recipient == "dewi@example.id"
    assert by_channel["email"].subject == "Permohonan IUM-2026-000123 telah kami terima"
    assert "Yth. Bapak/Ibu Ni Luh Putu Déwi" in by_channel["email"].body
    assert by_channel["sms"].status == "pending"
    assert by_channel["sms"].recipient == "+6281234567890"
    assert "IUM-2026-000123" in by_channel["sms"].body
    assert by_channel["inapp"].status == "sent"  # stored = delivered
    assert by_channel["inapp"].recipient_user == user


def test_repeated_enqueue_for_the_same_event_returns_the_existing_messages(
    case_context: dict[str, Any],
) -> None:
    first = services.enqueue(
        event="received",
        language="id",
        email="dewi@example.id",
        context=case_context,
        dedupe_key="case-1:received",
    )
    again = services.enqueue(
        event="received",
        language="id",
        email="dewi@example.id",
        context={**case_context, "applicant_name": "Someone else"},
        dedupe_key="case-1:received",
    )

    assert [m.pk for m in again] == [m.pk for m in first]
    assert OutboxMessage.objects.count() == 1
    assert "Ni Luh Putu Déwi" in OutboxMessage.objects.get().body


def test_adding_a_channel_on_repeat_creates_only_the_new_channel(
    case_context: dict[str, Any],
) -> None:
    services.enqueue(
        event="received", language="id", email="d@example.id", context=case_context, dedupe_key="k"
    )
    messages = services.enqueue(
        event="received",
        language="id",
        email="d@example.id",
        phone="081234567890",
        context=case_context,
        dedupe_key="k",
    )

    assert sorted(m.channel for m in messages) == ["email", "sms"]
    assert OutboxMessage.objects.count() == 2


def test_reusing_a_dedupe_key_for_another_event_is_a_conflict(
    case_context: dict[str, Any],
) -> None:
    services.enqueue(
        event="received", language="id", email="d@example.id", context=case_context, dedupe_key="k"
    )
    with pytest.raises(ConflictError):
        services.enqueue(
            event="approved",
            language="id",
            email="d@example.id",
            context=case_context,
            dedupe_key="k",
        )


def test_phone_number_is_encrypted_at_rest(case_context: dict[str, Any]) -> None:
    [message] = services.enqueue(
        event="received",
        language="id",
        phone="+6281234567890",
        context=case_context,
        dedupe_key="k",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient FROM notify_outboxmessage WHERE id = %s", [message.pk])
        [stored] = cursor.fetchone()

    assert "6281234567890" not in stored
    assert OutboxMessage.objects.get(pk=message.pk).recipient == "+6281234567890"


def test_body_with_name_and_access_code_is_encrypted_at_rest(
    case_context: dict[str, Any],
) -> None:
    [message] = services.enqueue(
        event="received",
        language="id",
        email="dewi@example.id",
        context={**case_context, "access_code": "K7PQ2MXA"},
        dedupe_key="k",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM notify_outboxmessage WHERE id = %s", [message.pk])
        [stored] = cursor.fetchone()

    assert "K7PQ2MXA" not in stored
    assert "Déwi" not in stored
    assert "K7PQ2MXA" in OutboxMessage.objects.get(pk=message.pk).body


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"event": "no_such_event"}, "event"),
        ({"language": "fr"}, "language"),
        ({"email": "not-an-address"}, "email"),
        ({"email": None, "phone": "12345"}, "phone"),
        ({"context": {"tracking_number": "X"}}, "context"),
    ],
)
def test_bad_input_is_rejected_with_the_field_named(
    case_context: dict[str, Any], arguments: dict[str, Any], field: str
) -> None:
    call: dict[str, Any] = {
        "event": "received",
        "language": "id",
        "email": "d@example.id",
        "context": case_context,
        "dedupe_key": "k",
        **arguments,
    }
    with pytest.raises(ValidationError) as caught:
        services.enqueue(**call)
    assert caught.value.field == field
    assert OutboxMessage.objects.count() == 0


def test_a_message_needs_somewhere_to_go(case_context: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        services.enqueue(event="received", language="id", context=case_context, dedupe_key="k")


def _full_context(event: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "applicant_name": "Budi Santoso",
        "tracking_number": "SKU-2026-000042",
        "service_name": "Surat Keterangan Usaha",
        "track_url": "https://loket.example/lacak/SKU-2026-000042",
        "reason": "Foto KTP tidak terbaca",
        "due_date": dt.date(2026, 8, 17),
        "new_due_date": dt.date(2026, 8, 24),
        "document_url": "https://loket.example/dokumen/abc",
        "officer_name": "Siti Rahayu",
        "position_name": "Kepala Seksi Perizinan",
        "step_name": "Verifikasi berkas",
        "task_url": "https://loket.example/workspace/tugas/9",
        "amount": "1.350.000",
        "billing_code": "3273123456789012",
        "survey_url": "https://loket.example/survei/abc/",
        "access_code": "K7M3Q9XD",
        # Complaint events (registered by loket.complaints).
        "category_name": "Pelayanan perizinan",
        "follow_url": "https://loket.example/pengaduan/ADU-2026-000042/ikuti/",
        "answer": "Petugas yang lalai telah ditegur.",
        "complete_date": dt.datetime(2026, 8, 10, 10, 0),
        "unit_url": "https://loket.example/workspace/unit/",
        "capacity": "Plt",
        # The code that gives a lost application draft back (registered by loket.portal).
        "code": "482913",
        "valid_minutes": "15",
    }
    return {key: values[key] for key in (*EVENTS[event].required, *EVENTS[event].optional)}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("event", sorted(EVENTS))
def test_every_event_has_a_complete_message_in_both_languages(event: str, language: str) -> None:
    context = _full_context(event)
    messages = services.enqueue(
        event=event,
        language=language,
        email="budi@example.id",
        phone="081234567890",
        context=context,
        dedupe_key=f"{event}:{language}",
    )
    email, sms = sorted(messages, key=lambda m: m.channel)

    assert email.subject and "\n" not in email.subject
    # Messages about a case name it; others name what they are about (an officer's own
    # designation, the one-time code of a draft).
    about = context.get("tracking_number") or context.get("position_name") or context["code"]
    assert about in email.subject
    for key, value in context.items():
        if isinstance(value, str):
            assert value in email.body, f"{key} missing from {event}.{language}"
        else:
            assert str(value.year) in email.body, f"{key} missing from {event}.{language}"
    assert "{" not in email.body and "\n\n\n" not in email.body
    assert about in sms.body
    assert len(sms.body) <= 320, "an SMS should fit in two segments"


def test_dates_are_written_in_the_message_language(case_context: dict[str, Any]) -> None:
    [indonesian] = services.enqueue(
        event="received", language="id", email="d@example.id", context=case_context, dedupe_key="a"
    )
    [english] = services.enqueue(
        event="received", language="en", email="d@example.id", context=case_context, dedupe_key="b"
    )

    assert "5 Maret 2026" in indonesian.body
    assert "5 March 2026" in english.body


def test_plain_text_is_not_html_escaped(case_context: dict[str, Any]) -> None:
    [message] = services.enqueue(
        event="received", language="en", email="d@example.id", context=case_context, dedupe_key="k"
    )
    assert "Kuliner & Minuman" in message.body


def test_text_is_fixed_when_enqueued_not_when_sent(
    case_context: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    [message] = services.enqueue(
        event="approved", language="id", email="d@example.id", context=case_context, dedupe_key="k"
    )
    override = tmp_path / "notify"
    override.mkdir()
    (override / "approved.id.txt").write_text("Subjek baru\n\nIsi baru {{ tracking_number }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    [later] = services.enqueue(
        event="approved", language="id", email="d@example.id", context=case_context, dedupe_key="k2"
    )

    assert later.subject == "Subjek baru"  # an agency's own template takes precedence
    message.refresh_from_db()
    assert message.subject == "Permohonan IUM-2026-000123 telah disetujui"


def test_delivery_request_is_queued_in_the_enqueuing_transaction(
    case_context: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """With the database task queue the request to send commits with the message (a
    transactional outbox): it is a row of this transaction, not an after-commit hook."""
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks() as callbacks:
        (message,) = services.enqueue(
            event="received",
            language="id",
            email="dewi@example.id",
            context=case_context,
            dedupe_key="case-7:received",
        )
        requests = DBTaskResult.objects.filter(task_path__endswith="deliver_outbox")
        assert [r.args_kwargs["kwargs"]["message_ids"] for r in requests] == [[message.pk]]
    assert callbacks == []


def test_a_message_without_a_phone_is_refused_when_its_sms_template_is_missing(
    monkeypatch: Any, settings: Any, tmp_path: Any
) -> None:
    # The short text is rendered only for an SMS, but an event must have both templates
    # whichever channels a message takes.
    from loket.notify.events import EventSpec

    monkeypatch.setitem(EVENTS, "half_written", EventSpec("half_written", "applicant", ()))
    (tmp_path / "notify").mkdir()
    (tmp_path / "notify" / "half_written.id.txt").write_text("Subjek\n\nIsi pesan.\n")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]

    with pytest.raises(ValidationError) as caught:
        services.enqueue(
            event="half_written", language="id", email="d@example.id", context={}, dedupe_key="k"
        )
    assert caught.value.field == "language"
    assert OutboxMessage.objects.count() == 0


def test_the_e_mail_text_is_the_same_with_or_without_a_phone(
    case_context: dict[str, Any],
) -> None:
    with_phone = services.enqueue(
        event="received",
        language="id",
        email="d@example.id",
        phone="081234567890",
        context=case_context,
        dedupe_key="with-phone",
    )
    without_phone = services.enqueue(
        event="received",
        language="id",
        email="d@example.id",
        context=case_context,
        dedupe_key="without-phone",
    )

    by_channel = {m.channel: m for m in with_phone}
    assert case_context["tracking_number"] in by_channel["sms"].body
    assert by_channel["email"].body == without_phone[0].body
    assert by_channel["email"].subject == without_phone[0].subject
