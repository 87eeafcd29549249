"""Every row lock the case engine takes, in one place and one order (Saleor's
`checkout/lock_objects.py`): the case row first, then its task. Operations on
one case therefore queue up on the case row and never deadlock each other.

Locks are FOR NO KEY UPDATE of the case (and task) rows only: locking the
joined service/agency rows, or a plain FOR UPDATE, would block every
transaction that inserts a row pointing at them (PostgreSQL takes KEY SHARE
locks for foreign keys) and deadlock against the ledger's lock. SQLite has no
row locks; its IMMEDIATE transactions serialise writers instead.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from loket.cases import compiled
from loket.cases.models import Case, Task
from loket.core.errors import NotFound


def lock_case_row(case_id: int) -> Case:
    """The case, locked until the transaction ends, with its service, agency and version.

    One query: the version comes from the per-process cache of compiled versions,
    keyed by the id and content hash read here.
    """
    case = (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("service", "agency")
        .annotate(version_hash=F("service_version__content_hash"))
        .get(pk=case_id)
    )
    _attach_version(case)
    return case


def lock_task_row(task_id: int) -> tuple[Case, Task]:
    """The task and its case, both locked, in one query.

    The OF list names the case first: PostgreSQL locks the rows in that order, the
    order every other operation takes them in (case, then its tasks), so none can
    deadlock with this. Both rows are locked, so a concurrent winner's change to
    either is seen here once its transaction ends.
    """
    task = (
        Task.objects.select_for_update(of=("case", "self"), no_key=True)
        .select_related("case", "case__service", "case__agency", "position")
        .annotate(version_hash=F("case__service_version__content_hash"))
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound(_("There is no task %(id)s.") % {"id": task_id}, field="id")
    case = task.case
    case.version_hash = task.version_hash  # type: ignore[attr-defined]
    _attach_version(case)
    return case, task


def _attach_version(case: Case) -> None:
    version, _definition = compiled.version(case.service_version_id, case.version_hash)  # type: ignore[attr-defined]
    case.service_version = version


def lock_case(*, case_id: int) -> Case:
    """Lock a case row for another app's operation on it (a payment callback, a bill's
    expiry). Call inside that operation's transaction, before locking its own rows:
    every operation locks the case first, so none can deadlock with another."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_case must be called inside a transaction")
    return lock_case_row(case_id)
