"""Read-only queries behind the officer pages: the queue and a unit's open work.

Who may see or act on what is `loket.cases.policy` (an officer's `Reach` comes from there).

They read the case engine's models but never change them; every change goes
through `loket.cases.services`. Each function here runs a fixed number of
queries whatever the number of tasks, so the pages stay fast as queues grow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Model, Q, QuerySet, Value, When

from loket.cases import selectors as cases_selectors
from loket.cases.models import CLOSED_STATUSES, Case, Task, TaskStatus
from loket.cases.policy import Reach
from loket.catalog.models import Service
from loket.org.models import Officer


class QueueState(StrEnum):
    """The queue filter: every open task, the unclaimed ones, mine, or the overdue ones."""

    ALL = "all"
    OPEN = "open"
    MINE = "mine"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class QueueCounts:
    all: int
    open: int
    mine: int
    overdue: int

    def of(self, state: QueueState) -> int:
        """How many tasks the queue shows under the filter `state`."""
        return int(getattr(self, state.value))


def _overdue_first(at: dt.datetime) -> When_:
    return When_(
        When(Q(due_at__lt=at), then=Value(0)), default=Value(1), output_field=IntegerField()
    )


# What a task's page and a queue row show of its case, service and position.
_TASK_RELATIONS = (
    "case",
    "case__service",
    "case__service_version",
    "position",
    "position__unit",
    "claimed_by",
)


def _open_tasks() -> QuerySet[Task]:
    """Open tasks with what a queue row shows; the version's definition is read once per
    process (catalog.definitions.compiled), not with every row."""
    return (
        Task.objects.filter(status=TaskStatus.OPEN)
        .select_related(*_TASK_RELATIONS)
        .defer(
            *cases_selectors.QUEUE_DEFERRED,
            "case__service_version__definition",
            "case__service_version__source",
        )
    )


def queue(
    reach: Reach,
    officer: Officer,
    *,
    at: dt.datetime,
    state: QueueState = QueueState.ALL,
    service_id: int | None = None,
) -> QuerySet[Task]:
    """Open tasks of every position the officer holds, overdue first, then by due moment."""
    tasks = _open_tasks().filter(position_id__in=reach.position_ids)
    if service_id is not None:
        tasks = tasks.filter(case__service_id=service_id)
    if state == QueueState.OPEN:
        tasks = tasks.filter(claimed_by__isnull=True)
    elif state == QueueState.MINE:
        tasks = tasks.filter(claimed_by=officer)
    elif state == QueueState.OVERDUE:
        tasks = tasks.filter(due_at__lt=at)
    return tasks.annotate(overdue_rank=_overdue_first(at)).order_by(
        "overdue_rank", "due_at", "created_at", "pk"
    )


# Rows of a queue page: an officer works from the top, and a page of every open task
# would grow with the backlog (a unit's thousands of tasks in one page).
PAGE_SIZE = 50
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Paging:
    """Where a page of `size` rows stands in `total` rows (`number` counts from 1)."""

    number: int
    total: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        return min(self.total, (self.number - 1) * self.size + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.size)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_of(rows: QuerySet[M], *, total: int, requested: str | None) -> tuple[list[M], Paging]:
    """The rows of page `requested` (`?page=`) of `rows`, which number `total`. A page
    that is not a number is the first; one past the end is the last, so a link kept
    from a longer queue still shows tasks."""
    wanted, size = requested or "", PAGE_SIZE
    last = Paging(number=1, total=total, size=size).pages
    number = 1
    if wanted.isascii() and wanted.isdigit():  # not "²" or "١", which isdigit() accepts
        number = int(wanted) if len(wanted) <= 18 else last
    paging = Paging(number=min(max(number, 1), last), total=total, size=size)
    start = (paging.number - 1) * paging.size
    return list(rows[start : start + paging.size]), paging


def queue_counts(
    reach: Reach, officer: Officer, *, at: dt.datetime, service_id: int | None = None
) -> QueueCounts:
    """How many tasks each queue filter shows, in one query."""
    tasks = Task.objects.filter(status=TaskStatus.OPEN, position_id__in=reach.position_ids)
    if service_id is not None:
        tasks = tasks.filter(case__service_id=service_id)
    counts = tasks.aggregate(
        all=Count("pk"),
        open=Count("pk", filter=Q(claimed_by__isnull=True)),
        mine=Count("pk", filter=Q(claimed_by=officer)),
        overdue=Count("pk", filter=Q(due_at__lt=at)),
    )
    return QueueCounts(**counts)


def queue_services(reach: Reach) -> QuerySet[Service]:
    """The services with open tasks at the officer's positions (the service filter's
    choices). Open ones only: every task ever done there would make each queue page read
    the positions' whole history."""
    return (
        Service.objects.filter(
            cases__tasks__status=TaskStatus.OPEN,
            cases__tasks__position_id__in=reach.position_ids,
        )
        .distinct()
        .order_by("name")
    )


def unit_open_tasks(reach: Reach, *, at: dt.datetime) -> QuerySet[Task]:
    """Every open task of the units the officer heads and their sub-units: overdue first
    (oldest due first), then by due moment."""
    return (
        _open_tasks()
        .filter(position__unit_id__in=reach.headed_unit_ids)
        .annotate(overdue_rank=_overdue_first(at))
        .order_by("overdue_rank", "due_at", "created_at", "pk")
    )


def unit_statutory_lapses(reach: Reach) -> QuerySet[Case]:
    """Open cases of the units' services whose statutory deadline passed undecided
    (fiktif positif exposure), the longest-lapsed first."""
    return (
        Case.objects.filter(
            service__unit_id__in=reach.headed_unit_ids,
            statutory_lapse_flagged_at__isnull=False,
        )
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("service")
        .order_by("due_at", "pk")
    )


def task_detail(task_id: int) -> Task | None:
    return Task.objects.select_related(*_TASK_RELATIONS, "decided_by").filter(pk=task_id).first()
