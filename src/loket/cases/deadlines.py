"""Deadlines the law attaches to a case, watched by the worker.

- When the applicant lets their response deadline pass, the case closes as
  withdrawn (or goes to the end step the applicant step names in `on_lapse`),
  with a notice and an event.
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
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from loket.cases import ports, tracking
from loket.cases.flow import Actor, Run, event_key
from loket.cases.locks import lock_case_row as _lock_case
from loket.cases.models import Case, CaseStatus, Outcome

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
            dedupe_key=f"{event_key(event)}:statutory:{officer.pk}",
        )
    run.flush()
    read_model = ["tracking"] if tracking.take_changed(case) else []  # ADR 0023
    case.save(update_fields=["statutory_lapse_flagged_at", "last_event_sequence", *read_model])
    return 1


def _unit_url() -> str:
    try:
        path = reverse("workspace:unit")
    except NoReverseMatch:
        path = "/workspace/unit/"
    return f"{settings.PUBLIC_BASE_URL}{path}"


def close_lapsed_applicant_waits(*, now: dt.datetime | None = None) -> int:
    """Close every case whose applicant did not respond by the deadline; returns how many."""
    now = now or timezone.now()
    closed = 0
    waiting = Case.objects.filter(status=CaseStatus.AWAITING_APPLICANT, respond_by__lt=now)
    for case_id in list(waiting.values_list("pk", flat=True)):
        try:
            closed += _close_lapsed(case_id, now)
        except Exception:
            log.exception("closing the lapsed case %s failed", case_id)
    return closed


@transaction.atomic
def _close_lapsed(case_id: int, now: dt.datetime) -> int:
    case = _lock_case(case_id)
    respond_by = case.respond_by
    if case.status != CaseStatus.AWAITING_APPLICANT or respond_by is None or respond_by >= now:
        return 0  # the applicant answered, or the case moved, since the list was read
    run = Run(case=case, now=now)
    step = run.definition.step(case.waiting_step)
    with translation.override(case.language):
        reason = _(
            "You did not send the revision by %(date)s, so the application is deemed "
            "withdrawn. You may apply again."
        ) % {"date": formats.date_format(timezone.localtime(respond_by), "j F Y H:i")}
    run.record(
        "applicant_deadline_lapsed",
        step_id=step["id"],
        actor=Actor(),
        payload={"respond_by": respond_by.isoformat()},
    )
    run.lapsed = True
    if step.get("on_lapse"):
        run.advance(str(step["on_lapse"]), reason=reason)
    else:
        run.close(Outcome.CANCELLED, reason=reason, step_id=step["id"])
        run.finish()
    return 1
