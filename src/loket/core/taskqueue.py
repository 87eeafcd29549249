"""Queueing a background task from the engine's hot path.

`enqueue(task, *args, **kwargs)` is `task.enqueue(*args, **kwargs)`. With the
database backend (the default, django-tasks-db) the task's row is written with
one INSERT built once per process (`core.prepared.insert_rows`) instead of the
ORM's `create`, whose query compilation cost several times the statement
(~0.6 ms of a step's CPU, measured). The row is the one the backend writes: the
same id function, columns and values, the task validated once per process, and
the backend's `task_enqueued` signal sent. Any other backend is called as usual.
"""

from __future__ import annotations

from typing import Any

from loket.core import prepared

_validated: set[tuple[str, str, int, str]] = set()


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` with these arguments, in the caller's transaction when the queue
    is a table of the database."""
    enqueue_into(None, task, *args, **kwargs)


def enqueue_into(jobs: list[Any] | None, task: Any, *args: Any, **kwargs: Any) -> None:
    """`enqueue`, except that a row for the database's queue is appended to `jobs` (when
    given) instead of written: the caller `write`s and `announce`s it with its own
    writes, in the same transaction (the case engine: in its closing round trip)."""
    row = queued_row(task, *args, **kwargs)
    if row is None:
        task.enqueue(*args, **kwargs)
    elif jobs is not None:
        jobs.append(row)
    else:
        write([row])
        announce([row])


def queued_row(task: Any, *args: Any, **kwargs: Any) -> Any | None:
    """The row the database backend would write for `task.enqueue(*args, **kwargs)`, not
    written yet (`write`, then `announce`); None when the queue is not a table of the
    database (or the task runs later), and the task is to be enqueued as usual."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = task_backends[task.backend]
    if not isinstance(backend, DatabaseBackend) or task.run_after is not None:
        return None
    key = (backend.alias, task.module_path, task.priority, task.queue_name)
    if key not in _validated:
        backend.validate_task(task)  # the task is fixed at import: validated once
        _validated.add(key)
    return prepared.new(
        DBTaskResult,
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": list(args), "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        # What the backend stores for "as soon as possible".
        run_after=get_date_max(),
        backend_name=backend.alias,
    )


def write(rows: list[Any]) -> None:
    """INSERT rows of `queued_row` in one statement (within a batch, `prepared.batched`:
    their ids are made here, so nothing is read back)."""
    prepared.insert_rows(rows)


def announce(rows: list[Any]) -> None:
    """The backend's `task_enqueued` signal for written rows (outside any batch: a
    receiver may query)."""
    from django_tasks import task_backends
    from django_tasks_db.compat import task_enqueued

    for row in rows:
        backend = task_backends[row.backend_name]
        task_enqueued.send(type(backend), task_result=row.task_result)
