"""Appointments cached per process against the organisation revision (as the catalogue
and the calendar are): the authority check of a step reads one narrow row instead of
joining appointments, officers, accounts and positions.

No timer: every change to who may act for what bumps `OrgRevision` in its own
transaction (`loket.org.signals`), and every check reads the revision at the
moment of the act, so a new appointment, a Plt/Plh designation or a revocation
counts from the moment it commits, in every process. Writes that bypass model
signals (`QuerySet.update`, raw SQL) must call `bump()` themselves.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from loket.core import prepared
from loket.org.models import Appointment, OrgRevision

_lock = threading.Lock()


class _Cached:
    revision = ""


_state = _Cached()
# (officer id, position id) -> that officer's appointments to that position whose
# officer and account are active, any dates (the day is checked per act).
_pairs: dict[tuple[int, int], list[Appointment]] = {}


def bump() -> None:
    """Move the revision on, inside the caller's transaction."""
    new = uuid.uuid4().hex
    if not OrgRevision.objects.filter(pk=1).update(revision=new):
        OrgRevision.objects.update_or_create(pk=1, defaults={"revision": new})


# Marks a revision row not read yet (None is a read that found no row).
UNREAD: Any = object()


def revision_with(
    also: tuple[str, Sequence[Any]] | None = None, *, read: Any = UNREAD
) -> tuple[str, Any] | None:
    """The committed revision and, in the same statement, the value of the caller's scalar
    SQL expression `also` (sql, params), or None for it when not given; None when there is
    no revision row (nothing may be cached then). `read` is the row of
    `revision_statement(also)` when the caller already sent it (with a statement of its
    own, in one round trip).

    The statements are built once per process: compiling an ORM query with a subquery
    cost more than the rest of a step's authority check (issue 11)."""
    if read is UNREAD:
        sql, params = revision_statement(also)
        with prepared.statement_cursor(transaction.get_connection()) as cursor:
            cursor.execute(sql, params)
            read = cursor.fetchone()
    if read is None or not read[0]:
        return None
    return str(read[0]), (read[1] if also is not None else None)


def revision_statement(
    also: tuple[str, Sequence[Any]] | None = None,
) -> tuple[str, Sequence[Any]]:
    """The statement of `revision_with(also)` and its parameters."""
    connection = transaction.get_connection()
    base = _revision_sql.get(connection.alias)
    if base is None:
        quote = connection.ops.quote_name
        meta = OrgRevision._meta
        column = quote(meta.get_field("revision").column)  # type: ignore[arg-type]
        key = quote(meta.pk.column)  # type: ignore[union-attr]
        # Identifiers come from model metadata.
        base = (f"SELECT {column}", f" FROM {quote(meta.db_table)} WHERE {key} = 1")
        _revision_sql[connection.alias] = base
    head, tail = base
    if also is None:
        return head + tail, ()
    return f"{head}, ({also[0]}){tail}", also[1]


_revision_sql: dict[str, tuple[str, str]] = {}


def appointments(officer_id: int, position_id: int, revision: str) -> list[Appointment]:
    """The pair's appointments as of `revision`, read at most once per revision and process.

    The rows are shared between threads: callers must not change them. A change that
    commits while they are read may leave newer rows under the older revision:
    harmless, the next check sees the new revision and reads again.
    """
    key = (officer_id, position_id)
    with _lock:
        if _state.revision != revision:
            _state.revision = revision
            _pairs.clear()
        cached = _pairs.get(key)
    if cached is not None:
        return cached
    rows = list(
        Appointment.objects.filter(
            officer_id=officer_id,
            position_id=position_id,
            officer__is_active=True,
            officer__user__is_active=True,
        ).select_related("officer", "officer__user", "position", "position__agency")
    )
    with _lock:
        if _state.revision == revision:
            _pairs[key] = rows
    return rows
