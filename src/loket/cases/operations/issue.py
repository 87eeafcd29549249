"""Issuing again a document that was parked at its issue step."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import locks, ports
from loket.cases.definition import Definition
from loket.cases.flow import STALLED, Run
from loket.cases.models import (
    CLOSED_STATUSES,
    Case,
)
from loket.core.errors import ConflictError


@transaction.atomic
def issue(*, case_id: int, now: dt.datetime | None = None) -> Case:
    """Issue the document of an approved case parked at its issue step.

    Issue steps normally run inside the final approval; this re-runs one that
    was parked (e.g. the signing service was down) once the cause is fixed.
    """
    case = locks.lock_case_row(case_id)
    # Lock order: the ledger before the document-number sequence, as in an approval
    # (whose event is appended before it issues); otherwise the two can deadlock.
    ports.ledger_lock()
    run = Run(case=case, now=now or timezone.now())
    parked = [
        step_id
        for step_id, _branch in case.join_state.get(STALLED, {}).items()
        if run.definition.has_step(step_id) and run.definition.step(step_id).get("kind") == "issue"
    ]
    if not parked:
        raise ConflictError(_("This application is not waiting for its document to be issued."))
    branch = case.join_state[STALLED].pop(parked[0])
    run.advance(parked[0], branch)
    return case


def issue_parked(*, now: dt.datetime | None = None) -> int:
    """Issue again every document parked at its issue step (its signer had failed).

    Run by the worker. Each case is retried by `issue`, in its own transaction
    under the case's row lock, which takes the parked step off the case: two
    workers never sign one document twice, and a signer that still fails parks
    the case again (with an `issue_failed` event) without stopping the others.
    Returns how many documents were issued.
    """
    parked = (
        Case.objects.filter(join_state__has_key=STALLED)
        .exclude(status__in=CLOSED_STATUSES)
        .values_list("pk", flat=True)
    )
    issued = 0
    for case_id in list(parked):
        try:
            case = issue(case_id=case_id, now=now)
        except ConflictError:  # nothing to issue: another worker did, or not an issue step
            continue
        if not _is_parked_at_issue(case):
            issued += 1
    return issued


def _is_parked_at_issue(case: Case) -> bool:
    definition = Definition(case.service_version.definition)
    return any(
        definition.has_step(step_id) and definition.step(step_id).get("kind") == "issue"
        for step_id in case.join_state.get(STALLED, {})
    )
