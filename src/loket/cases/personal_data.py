"""The audit of reads of applicants' full personal data, and the DPO's view of it.

Every edge that shows a case's full NIK, phone, e-mail or an uploaded ID scan
calls `record_read` with who read, which case and through what channel. The
line is written in its own transaction (autocommit), before the data leaves
the server, so a read is never shown without its trace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from loket.cases.models import AuditLog, Case, PersonalDataRead, ReadChannel
from loket.org.models import Officer

audit_log = logging.getLogger("loket.audit")
DPO_PERMISSION = "cases.view_personaldataread"


def record_read(
    *,
    case: Case,
    channel: ReadChannel,
    officer: Officer | None = None,
    machine_account: str = "",
    detail: str = "",
) -> PersonalDataRead:
    """Write one audit line for a read of the case's full personal data. One query."""
    if officer is not None:
        reader = f"{officer.name} (NIP {officer.nip})"
    else:
        reader = f"machine account {machine_account}" if machine_account else "unknown"
    return PersonalDataRead.objects.create(
        case=case,
        tracking_number=case.tracking_number,
        officer=officer,
        machine_account=machine_account[:80],
        reader=reader[:250],
        channel=channel,
        detail=detail[:200],
    )


def record_refused_read(*, officer: Officer, case: Case, channel: ReadChannel) -> AuditLog:
    """An officer asked for a case outside their reach: the refusal is kept for the DPO."""
    audit_log.warning("refused read of %s by %s via %s", case.tracking_number, officer.nip, channel)
    return AuditLog.objects.create(
        user=officer.user,
        officer=officer,
        action="read_case",
        target=f"case:{case.tracking_number}"[:120],
        message=f"outside the officer's reach ({channel})",
    )


def is_data_protection_officer(user: User | AnonymousUser) -> bool:
    """Whether the account may read the audit (the DPO role: one permission)."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(DPO_PERMISSION))


@dataclass(frozen=True)
class ReadFilter:
    officer_id: int | None = None
    tracking_number: str = ""


def reads(filters: ReadFilter) -> QuerySet[PersonalDataRead]:
    """The audit lines, newest first, for one officer and/or one case (by tracking number)."""
    lines = PersonalDataRead.objects.select_related("officer")
    if filters.officer_id is not None:
        lines = lines.filter(officer_id=filters.officer_id)
    number = filters.tracking_number.strip().upper()
    if number:
        lines = lines.filter(Q(tracking_number=number))
    return lines.order_by("-at", "-pk")


def readers() -> QuerySet[Officer]:
    """The officers who appear in the audit (for the DPO's officer filter)."""
    ids = PersonalDataRead.objects.exclude(officer=None).values("officer_id").distinct()
    return Officer.objects.filter(pk__in=ids).order_by("name")
