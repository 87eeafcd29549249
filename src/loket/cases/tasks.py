"""Background work of the case engine: each task calls one operation."""

from __future__ import annotations

from django_tasks import task

from loket.cases import deadlines, issuing, services
from loket.core.schedule import WAITED_FOR


@task()
def escalate_overdue() -> int:
    """Escalate tasks past their due moment; run every few minutes by `loket worker`."""
    return services.escalate_overdue()


@task()
def flag_statutory_lapses() -> int:
    """Tell heads of unit about cases past their statutory deadline (fiktif positif)."""
    return deadlines.flag_statutory_lapses()


@task()
def close_lapsed_applicant_waits() -> int:
    """Close cases whose applicant let the response deadline pass."""
    return deadlines.close_lapsed_applicant_waits()


@task()
def issue_parked_documents() -> int:
    """Issue the documents whose signer failed at approval, once it answers again."""
    return services.issue_parked()


@task(priority=WAITED_FOR)
def issue_document(request_id: int) -> bool:
    """Issue the document an approval asked for (enqueued in the approval's transaction)."""
    return issuing.issue_requested(request_id=request_id)
