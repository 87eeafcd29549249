"""Read-only queries about cases and tasks for the API, the web pages and tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as When_
from django.db.models import DateTimeField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from loket.cases import applicant_card, flow, numbers, policy, reads
from loket.cases.models import CLOSED_STATUSES, Case, CaseEvent, Task, TaskStatus
from loket.catalog.definitions import ServiceDefinition, compiled
from loket.org.models import Officer, Unit
from loket.org.selectors import units_within


def public_fields(case: Case) -> list[tuple[str, str]]:
    """What the case's document prints (no NIK, no phone), for the edge apps."""
    return flow.public_fields(case)


def track_url(case: Case) -> str:
    """Where the applicant follows the case."""
    return flow.track_url(case)


def case_by_tracking_number(tracking_number: str) -> Case | None:
    """The case with its service, version and agency in one statement built once per
    process (`loket.cases.reads`); the version's YAML source and definition are left out
    (`compiled(case.service_version)` has it), and so is the agency's crest."""
    return reads.case_by_tracking_number((tracking_number or "").strip().upper())


def case_for_applicant(
    tracking_number: str, *, access_code: str = "", user: Any = None
) -> Case | None:
    """The case if the access code is right or the signed-in user submitted it; else None.

    Both failures look the same, so a stranger learns nothing about which numbers exist.
    """
    case = case_by_tracking_number(tracking_number)
    if case is None or not applicant_may_open(case, access_code=access_code, user=user):
        return None
    return case


def tracked_and_lockout(
    tracking_number: str, *, lockout_keys: list[str], whole: bool = False
) -> tuple[reads.TrackedRow | None, float | None]:
    """The case row and, in the same statement, the latest lock-out moment among
    `lockout_keys` (`cases.throttle`); (None, None) for an unknown number. The row is not
    yet made into instances: the columns the applicant's tracking GET shows, or with
    `whole` the whole row as `case_by_tracking_number` reads it."""
    number = (tracking_number or "").strip().upper()
    return reads.tracked_and_lockout(number, lockout_keys, whole=whole)


def applicant_may_open(case: Case, *, access_code: str = "", user: Any = None) -> bool:
    """Whether the signed-in user submitted the case or the access code is its own."""
    return policy.applicant_may_view(case, user=user) or numbers.check_access_code(
        case.tracking_number, access_code, case.access_code_hash
    )


def applicant_may_open_row(
    tracked: reads.TrackedRow, *, access_code: str = "", user: Any = None
) -> bool:
    """`applicant_may_open` on a row not made into a case."""
    return policy.submitted_by(
        tracked.value("applicant_user_id"), user=user
    ) or numbers.check_access_code(
        tracked.value("tracking_number"), access_code, tracked.value("access_code_hash")
    )


def timeline(case: Case, *, public_only: bool = True) -> QuerySet[CaseEvent]:
    events = case.events.select_related("position", "officer").order_by("sequence")
    return events.filter(is_public=True) if public_only else events


def open_request(case: Case) -> CaseEvent | None:
    """What the applicant is asked to do now (the latest return), if anything."""
    if not case.waiting_step:
        return None
    return case.events.filter(kind="awaiting_applicant").order_by("-sequence").first()


def licence_pending(case: Case) -> bool:
    """Whether the case is approved and its document is being issued by the worker.

    No query: the case rests at an issue step exactly while its document is pending.
    """
    if case.is_closed or not case.current_steps:
        return False
    return rests_at_issue(
        compiled(case.service_version), status=case.status, current_steps=case.current_steps
    )


def rests_at_issue(definition: ServiceDefinition, *, status: str, current_steps: list[str]) -> bool:
    """`licence_pending` from the case's columns and its definition."""
    if status in CLOSED_STATUSES:
        return False
    return any(
        definition.has_step(step) and definition.step(step).step_kind.issues_document
        for step in current_steps
    )


def open_tasks(case: Case) -> QuerySet[Task]:
    return case.tasks.filter(status=TaskStatus.OPEN).select_related("position", "claimed_by")


# The queue's order, overdue first, then by due moment (tasks without one last on every
# database), then oldest: also the key of its cursor pagination (the pk makes it unique).
QUEUE_ORDER = ("overdue_rank", "due_key", "created_at", "pk")
NO_DUE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


# What a list of tasks never shows of their cases: the submitted data and contacts (a
# decryption each per row, most of a queue's cost), the applicant card and the read
# models. A queue shows the case's number, service, applicant name and masked NIK.
QUEUE_DEFERRED = (
    "case__data",
    "case__applicant_email",
    "case__applicant_phone",
    "case__applicant_card",
    "case__tracking",
    "case__join_state",
    "case__current_steps",
    "case__outcome_reason",
)


def task_queue(
    officer: Officer,
    *,
    at: dt.datetime | None = None,
    status: str = TaskStatus.OPEN,
    service_code: str = "",
    due_before: dt.datetime | None = None,
) -> QuerySet[Task]:
    """Tasks of the positions the officer may act for now (open ones unless `status`
    says otherwise), overdue first, then by due; optionally of one service or due
    before a moment."""
    at = at or timezone.now()
    position_ids = policy.queue_position_ids(officer, at)
    tasks = Task.objects.filter(status=status, position_id__in=position_ids)
    if service_code:
        tasks = tasks.filter(case__service__code=service_code)
    if due_before is not None:
        tasks = tasks.filter(due_at__lt=due_before)
    return (
        tasks.select_related("case", "case__service", "position", "claimed_by")
        .defer(*QUEUE_DEFERRED)
        .annotate(
            overdue_rank=When_(
                When(Q(due_at__lt=at), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            due_key=Coalesce("due_at", Value(NO_DUE, output_field=DateTimeField())),
        )
        .order_by(*QUEUE_ORDER)
    )


def task_for_officer(task_id: int) -> Task | None:
    return (
        Task.objects.select_related("case", "case__service", "position", "claimed_by")
        .filter(pk=task_id)
        .first()
    )


def overdue_count(unit: Unit, *, at: dt.datetime | None = None) -> int:
    """Open tasks past their due moment in `unit` and the units below it. Two queries."""
    units = units_within(unit.agency_id, {unit.pk})
    return Task.objects.filter(
        status=TaskStatus.OPEN, position__unit_id__in=units, due_at__lt=at or timezone.now()
    ).count()


def current_fee(case: Case) -> int | None:
    """The fee in rupiah for the case's current data; None if its rule cannot price it."""
    return applicant_card.fee_of(compiled(case.service_version), case.data)
