"""An officer approves, rejects or returns a task, and the case moves on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import locks, policy, store
from loket.cases import revision as revisions
from loket.cases.flow import Actor, Run
from loket.cases.models import (
    CaseEvent,
    Decision,
    TaskStatus,
)
from loket.cases.operations.common import (
    already_done,
    audited,
    claim_of,
)
from loket.core.errors import ConflictError, ValidationError
from loket.org.models import Officer


def decide(
    *,
    task_id: int,
    officer: Officer,
    decision: str,
    reason: str = "",
    checklist: Mapping[str, Any] | None = None,
    requested_fields: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> CaseEvent:
    """Approve, reject or return a task, and move the case on.

    Only an officer holding the task's position at that moment (definitive, Plt or
    Plh) may decide; the event records the capacity. Of two officers deciding at
    once exactly one succeeds; the other gets a ConflictError naming the winner.
    The per-document `checklist` and, for a return, the `requested_fields` are
    recorded with the decision (see `loket.cases.revision`).
    """
    review = {"checklist": checklist, "requested_fields": requested_fields}
    with audited("decide", f"task:{task_id}", officer=officer):
        return _decide(task_id, officer, decision, reason, now or timezone.now(), review=review)


@transaction.atomic
def _decide(
    task_id: int,
    officer: Officer,
    decision: str,
    reason: str,
    now: dt.datetime,
    *,
    review: dict[str, Any] | None = None,
) -> CaseEvent:
    if decision not in Decision.values:
        raise ValidationError(
            _("The decision must be approve, reject or return."), field="decision"
        )
    reason = (reason or "").strip()
    # The authority read goes in the locking read's round trip, run once the locks are held,
    # and so does taking an id for the task an approval usually opens (ADR 0031).
    ids = store.task_ids_statement(1 if decision == Decision.APPROVE else 0)
    authority: list[Any] = []
    case, task = locks.lock_task_row(
        task_id, also=[policy.authority_read(officer, task_id), *ids], found_also=authority
    )
    if task.status != TaskStatus.OPEN or case.is_closed:
        raise already_done(task)
    run = Run(case=case, now=now, task_ids=list(authority[1][0]) if ids else [])
    reach = policy.reach_for_task(officer, task, now, run.definition, read=authority[0])
    holding = policy.require_holding(reach, task)
    if task.claimed_by_id not in (None, officer.pk):
        raise ConflictError(
            _(
                "Another holder of %(position)s is working on this task (since %(since)s); "
                "only they can decide it."
            )
            % claim_of(task),
            code="task_claimed",
        )
    policy.require_capacity(run.definition, task, holding)
    policy.require_segregation(run.definition, task, officer, reach)
    reason_problem = policy.reason_problem(decision, reason)
    if reason_problem:
        raise ValidationError(reason_problem, field="reason")
    step = run.definition.step(task.step_id)
    target = (step.get("actions") or {}).get(decision)
    if not target:
        raise ValidationError(
            _("The decision “%(decision)s” is not possible at this step.")
            % {"decision": Decision(decision).label},
            field="decision",
        )
    recorded = revisions.review_payload(run.definition, decision=decision, **(review or {}))
    task.status = TaskStatus.DONE
    task.decision = decision
    task.reason = reason
    task.decided_by = officer
    task.decided_capacity = holding.capacity
    task.decided_at = now
    changed = ["status", "decision", "reason", "decided_by", "decided_capacity", "decided_at"]
    if task.claimed_by_id is None:
        task.claimed_by, task.claimed_at = officer, now
        changed += ["claimed_by", "claimed_at"]
    # Sent with the run's closing writes (one round trip on PostgreSQL).
    run.update_at_finish(task, changed)
    run.task_done(task)
    # The authority read brought the officer's account along: no query for it here.
    actor = Actor(
        officer=officer,
        position=task.position,
        capacity=holding.capacity,
        user=holding.officer.user,
    )
    run.actor = actor
    event = run.record(
        "decided",
        step_id=task.step_id,
        task=task,
        action=decision,
        reason=reason,
        payload={"target": target, **recorded},
    )
    if decision == Decision.APPROVE:
        if task.step_id == run.definition.completeness_step:
            run.declare_complete(task.step_id)
        run.advance(target, task.branch)
    else:
        # Rejecting ends the case; returning sends it back to the applicant. Either
        # way the other parallel branches stop: their work would be moot.
        run.cancel_open_tasks()
        case.join_state = {}
        run.advance(target, "", reason=reason)
    return event
