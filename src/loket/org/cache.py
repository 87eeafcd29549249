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
from typing import Any

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


def revision_with(**annotations: Any) -> tuple[str, dict[str, Any]] | None:
    """The committed revision and, in the same statement, the caller's `annotations`;
    None when there is no revision row (nothing may be cached then)."""
    row = OrgRevision.objects.filter(pk=1).annotate(**annotations)
    found = row.values("revision", *annotations).first()
    if found is None or not found["revision"]:
        return None
    return str(found.pop("revision")), found


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
