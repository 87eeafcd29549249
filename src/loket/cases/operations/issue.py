"""Issuing the document an approval asked for: what the worker does (loket.cases.issuing)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from loket.cases import issuing
from loket.cases.models import Case
from loket.core.errors import ConflictError


def issue(*, case_id: int, now: dt.datetime | None = None) -> Case:
    """Issue now the document an approval of this case asked for (what the worker does).

    Not one transaction: the number is reserved, the PDF signed outside any
    transaction, then recorded (loket.cases.issuing). Raises `ConflictError`
    if the case is not waiting for a document.
    """
    request = issuing.open_request(case_id)
    if request is None:
        raise ConflictError(_("This application is not waiting for its document to be issued."))
    issuing.issue_requested(request_id=request.pk, now=now)
    return Case.objects.get(pk=case_id)


def issue_parked(*, now: dt.datetime | None = None) -> int:
    """Issue every requested document no live worker is issuing; returns how many.

    Run by the worker's schedule: it retries documents whose signer failed and
    takes over those of a worker that died mid-issue (loket.cases.issuing.sweep).
    """
    return issuing.sweep(now=now)
