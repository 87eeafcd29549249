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
from django.utils.translation import gettext as _

from loket.cases.models import Case, Task
from loket.core.errors import NotFound


def lock_case_row(case_id: int) -> Case:
    """The case, locked until the transaction ends, with its service, version and agency."""
    return (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("service", "service_version", "agency")
        .get(pk=case_id)
    )


def lock_task_row(task_id: int) -> tuple[Case, Task]:
    """Lock the task's case, then the task: always in that order, so no deadlock."""
    case_id = Task.objects.filter(pk=task_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound(_("There is no task %(id)s.") % {"id": task_id}, field="id")
    case = lock_case_row(case_id)
    task = (
        Task.objects.select_for_update(of=("self",), no_key=True)
        .select_related("position")
        .get(pk=task_id)
    )
    task.case = case
    return case, task


def lock_case(*, case_id: int) -> Case:
    """Lock a case row for another app's operation on it (a payment callback, a bill's
    expiry). Call inside that operation's transaction, before locking its own rows:
    every operation locks the case first, so none can deadlock with another."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_case must be called inside a transaction")
    return lock_case_row(case_id)
