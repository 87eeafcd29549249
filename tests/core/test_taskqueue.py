"""core.taskqueue: the engine's prepared enqueue writes the row the backend writes."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from loket.core import taskqueue
from loket.notify.tasks import deliver_outbox

pytestmark = pytest.mark.django_db

# Set by the database when the row is written, different for every row.
_PER_ROW = {"id", "enqueued_at"}


def _columns(row: DBTaskResult) -> dict[str, Any]:
    return {
        f.attname: getattr(row, f.attname)
        for f in DBTaskResult._meta.concrete_fields
        if f.attname not in _PER_ROW
    }


def test_prepared_enqueue_writes_the_row_the_backend_writes() -> None:
    deliver_outbox.enqueue(message_ids=[3, 4])
    taskqueue.enqueue(deliver_outbox, message_ids=[3, 4])

    by_backend, prepared = DBTaskResult.objects.order_by("enqueued_at", "pk")
    assert _columns(prepared) == _columns(by_backend)
    assert prepared.args_kwargs == {"args": [], "kwargs": {"message_ids": [3, 4]}}
    assert prepared.task_result.status == "READY"
    assert list(DBTaskResult.objects.ready()) == [by_backend, prepared]


def test_prepared_enqueue_keeps_positional_arguments_and_the_tasks_priority() -> None:
    from loket.cases.tasks import issue_document

    taskqueue.enqueue(issue_document, 17)

    (row,) = DBTaskResult.objects.all()
    assert row.args_kwargs == {"args": [17], "kwargs": {}}
    assert row.priority == issue_document.priority
    assert row.task_path == "loket.cases.tasks.issue_document"


def test_another_backend_is_called_as_usual(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    taskqueue.enqueue(deliver_outbox, message_ids=[5])

    assert not DBTaskResult.objects.exists()
    (result,) = default_task_backend.results
    assert result.kwargs == {"message_ids": [5]}
