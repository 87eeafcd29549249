"""In-app notifications: visible as soon as the caller commits, read per user."""

from __future__ import annotations

from typing import Any

import pytest

from loket.notify import selectors, services

pytestmark = pytest.mark.django_db


def test_in_app_notification_is_unread_in_the_users_inbox(
    django_user_model: Any, case_context: dict[str, Any]
) -> None:
    dewi = django_user_model.objects.create_user("dewi")
    other = django_user_model.objects.create_user("other")
    [message] = services.enqueue(
        event="approved", language="id", user=dewi, context=case_context, dedupe_key="k"
    )

    assert list(selectors.unread_for(dewi)) == [message]
    assert selectors.unread_count(other) == 0
    assert message.subject == "Permohonan IUM-2026-000123 telah disetujui"


def test_marking_read_removes_only_the_given_notifications_from_unread(
    django_user_model: Any, case_context: dict[str, Any]
) -> None:
    dewi = django_user_model.objects.create_user("dewi")
    [first] = services.enqueue(
        event="received", language="id", user=dewi, context=case_context, dedupe_key="a"
    )
    [second] = services.enqueue(
        event="approved", language="id", user=dewi, context=case_context, dedupe_key="b"
    )

    assert services.mark_read(user=dewi, message_ids=[first.pk]) == 1

    assert list(selectors.unread_for(dewi)) == [second]
    assert set(selectors.inbox_for(dewi)) == {first, second}


def test_a_user_cannot_mark_another_users_notification_read(
    django_user_model: Any, case_context: dict[str, Any]
) -> None:
    dewi = django_user_model.objects.create_user("dewi")
    other = django_user_model.objects.create_user("other")
    [message] = services.enqueue(
        event="received", language="id", user=dewi, context=case_context, dedupe_key="a"
    )

    assert services.mark_read(user=other, message_ids=[message.pk]) == 0
    assert selectors.unread_count(dewi) == 1
