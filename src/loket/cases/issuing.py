"""The worker's half of an approval: issue the document the approval asked for.

The approval (`flow.Run.request_issue`) commits the case at its issue step with an
open `IssueRequest` and a queued `issue_document` task. Here the worker:

1. reserves the number and a lease (`document_issuing.reserve`, a short
   transaction of its own);
2. renders and signs outside any transaction;
3. records the document, the `issued` event and the rest of the run in one
   transaction under the case lock, only if its lease is still the latest.

A signer that fails releases the lease and leaves an `issue_failed` event:
the case stays approved with its document pending, and `sweep` (run on the
worker's database schedule) retries it. A worker killed between 1 and 3
leaves a lease that expires; the sweep then takes the request over with the
number already reserved, so the document keeps one number and is recorded once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from loket.cases import ports
from loket.cases.flow import STALLED, Actor, Run, issuer_of, public_fields
from loket.cases.models import CLOSED_STATUSES, Case
from loket.core.errors import LoketError

# The worker's side of issuing drives the document app's phases (reserve, sign outside
# any transaction, record) directly: the second known exception to the engine's one-way
# dependencies (pyproject.toml import-linter, docs/architecture.md).
from loket.documents import issuing as document_issuing

logger = logging.getLogger(__name__)


def issue_requested(*, request_id: int, now: dt.datetime | None = None) -> bool:
    """Issue one requested document; True if this call recorded it.

    Safe to call any number of times, from any number of workers. `now` is
    when the case's events happen (the demo's history passes its own clock);
    leases always run on the real clock.
    """
    request = document_issuing.open_request_by_id(request_id)
    if request is None:
        return False
    case = Case.objects.select_related("service_version", "agency").get(pk=request.case_id)
    if not _waits_for(case, request.step_id):
        document_issuing.abandon(request_id, "the case no longer waits for this document")
        return False
    try:
        reservation = document_issuing.reserve(
            request_id=request_id, fields=public_fields(case), now=timezone.now()
        )
    except LoketError as exc:  # authority lapsed, pattern missing: an administrator's job
        _failed(request_id, case.pk, request.step_id, str(exc), lease=None)
        return False
    if reservation is None:
        return False  # done, or another worker holds the lease
    lease, reserved = reservation
    try:
        signed = document_issuing.sign(reserved)  # outside any transaction
    except (LoketError, OSError) as exc:
        _failed(request_id, case.pk, request.step_id, str(exc), lease=lease)
        return False
    return _record(lease, reserved, signed, request.step_id, now or timezone.now())


def _record(
    lease: document_issuing.Lease,
    reserved: document_issuing.Reserved,
    signed: document_issuing.Signed,
    step_id: str,
    now: dt.datetime,
) -> bool:
    with transaction.atomic():
        case = _lock(lease.case_id)
        if not _waits_for(case, step_id):  # withdrawn while the worker signed
            document_issuing.abandon(lease.request_id, "the case was closed meanwhile")
            return False
        ports.ledger_lock()  # lock order: case, ledger, as in every operation
        document = document_issuing.complete(lease, reserved, signed)
        if document is None:
            logger.info("issue request %s was finished by another worker", lease.request_id)
            return False
        run = Run(case=case, now=now)
        run.issued(step_id, document)  # advances, which saves the case
    return True


def _failed(
    request_id: int,
    case_id: int,
    step_id: str,
    error: str,
    *,
    lease: document_issuing.Lease | None,
) -> None:
    """Note the failure on the case (not public) and give the request back for the sweep."""
    logger.warning("issuing request %s failed: %s", request_id, error[:200])
    with transaction.atomic():
        case = _lock(case_id)
        if lease is not None:
            document_issuing.release(lease, error)
        run = Run(case=case, now=timezone.now())
        run.record(
            "issue_failed",
            step_id=step_id,
            actor=Actor(),
            is_public=False,
            payload={"error": error[:500]},
        )
        run.finish()  # the step kernel writes recorded events only when told


def sweep(*, now: dt.datetime | None = None) -> int:
    """Issue every open request no live worker holds; returns how many were recorded.

    Also asks for the document of a case parked at an issue step without a
    request (parked by a version before issuing moved to the worker).
    """
    _request_for_orphans(now or timezone.now())
    issued = 0
    for request_id in document_issuing.due_requests(now=timezone.now()):
        if issue_requested(request_id=request_id, now=now):
            issued += 1
    return issued


def _request_for_orphans(now: dt.datetime) -> None:
    parked = Case.objects.filter(join_state__has_key=STALLED).exclude(status__in=CLOSED_STATUSES)
    for case_id in list(parked.values_list("pk", flat=True)):
        with transaction.atomic():
            case = _lock(case_id)
            if document_issuing.open_request(case.pk) is not None:
                continue
            run = Run(case=case, now=now)
            for step_id, branch in case.join_state.get(STALLED, {}).items():
                if not run.definition.has_step(step_id):
                    continue
                if not run.definition.step(step_id).step_kind.issues_document:
                    continue
                try:
                    officer, position, capacity = issuer_of(case, Actor())
                except LoketError:  # nobody approved it: an administrator's case
                    break
                ports.request_issue(
                    case=case,
                    step_id=step_id,
                    branch=branch,
                    officer=officer,
                    position=position,
                    capacity=capacity,
                    at=now,
                )
                break


def _waits_for(case: Case, step_id: str) -> bool:
    return not case.is_closed and step_id in case.join_state.get(STALLED, {})


def _lock(case_id: int) -> Case:
    return (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("service_version", "service", "agency")
        .get(pk=case_id)
    )


def open_request(case_id: int) -> Any:
    """The case's issue request not yet done, if any."""
    return document_issuing.open_request(case_id)
