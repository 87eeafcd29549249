"""Deadlines the law attaches to a case, watched by the worker.

- The service deadline runs from completeness (UU 30/2014 Pasal 53). If it passes
  with no decision, the application may be deemed granted (*fiktif positif*): the
  head of the service's unit must know at once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from loket.cases import ports
from loket.cases.flow import Actor, Run
from loket.cases.models import Case, CaseStatus
from loket.cases.services import _lock_case

log = logging.getLogger(__name__)


def _lapsed(now: dt.datetime) -> QuerySet[Case]:
    return Case.objects.filter(
        status=CaseStatus.IN_PROGRESS,
        complete_at__isnull=False,
        paused_at__isnull=True,
        due_at__lt=now,
        statutory_lapse_flagged_at__isnull=True,
    )


def flag_statutory_lapses(*, now: dt.datetime | None = None) -> int:
    """Flag every open case whose service deadline passed undecided, once each.

    Each case in its own transaction; the head of the service's unit (and any
    Plt/Plh of that position) is told through the outbox. Returns how many
    cases were flagged.
    """
    now = now or timezone.now()
    flagged = 0
    for case_id in list(_lapsed(now).values_list("pk", flat=True)):
        try:
            flagged += _flag(case_id, now)
        except Exception:
            log.exception("flagging the statutory lapse of case %s failed", case_id)
    return flagged


@transaction.atomic
def _flag(case_id: int, now: dt.datetime) -> int:
    case = _lock_case(case_id)
    if not _lapsed(now).filter(pk=case.pk).exists():
        return 0  # decided, paused or flagged since the list was read
    head = ports.head_of_unit(case.service.unit)
    holders = ports.holders_at(head, now) if head is not None else []
    case.statutory_lapse_flagged_at = now
    run = Run(case=case, now=now)
    event = run.record(
        "statutory_deadline_lapsed",
        is_public=False,
        actor=Actor(),
        payload={
            "due_at": case.due_at.isoformat() if case.due_at else None,
            "complete_at": case.complete_at.isoformat() if case.complete_at else None,
            "head_position": head.code if head else "",
            "notified": [h.officer.nip for h in holders],
        },
    )
    for holding in holders:
        officer = holding.officer
        ports.enqueue_notification(
            event="statutory_deadline_lapsed",
            language="id",
            email=officer.user.email or None,
            user=officer.user,
            context={
                "officer_name": officer.name,
                "tracking_number": case.tracking_number,
                "service_name": case.service.name,
                "complete_date": case.complete_at,
                "due_date": case.due_at,
                "unit_url": _unit_url(),
            },
            dedupe_key=f"case-event:{event.pk}:statutory:{officer.pk}",
        )
    case.save(update_fields=["statutory_lapse_flagged_at"])
    return 1


def _unit_url() -> str:
    try:
        path = reverse("workspace:unit")
    except NoReverseMatch:
        path = "/workspace/unit/"
    return f"{settings.PUBLIC_BASE_URL}{path}"
