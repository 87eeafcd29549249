"""Operations on complaints: the SP4N-LAPOR! stages, one function per thing that happens.

Each operation runs in one transaction that locks the complaint row, checks the actor's
authority (an officer must hold the position whose queue the complaint is in, definitively
or as Plt/Plh), moves the complaint, writes the event, appends its digest to the public
ledger (no personal data) and puts notifications in the outbox.

Clocks use the agency's working calendar: verification runs from receipt, the tier
clock from verification; both stop while the complainant is asked for information; an
answer starts the auto-close timer, which a reply cancels.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.complaints import counts, ports
from loket.complaints.intake import (
    MAX_PHOTOS,
    PHOTO_TYPES,
    clean_attributes,
    clean_contact,
    clean_location,
    clean_text,
)
from loket.complaints.models import (
    HANDLING_STATUSES,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    ComplaintPolicy,
    Status,
    Subject,
    Tier,
)
from loket.core.errors import AuthorityError, ConflictError, NotFound, ValidationError
from loket.org.models import Officer, Position, Unit

log = logging.getLogger(__name__)

TRACKING_PREFIX = "ADU"
MIN_REASON_LENGTH = 10


@dataclass(frozen=True)
class Actor:
    officer: Officer | None = None
    position: Position | None = None
    capacity: str = ""
    user: User | None = None


@dataclass(frozen=True)
class Filing:
    complaint: Complaint
    access_code: str  # shown once on the receipt


@dataclass
class Filed:
    """What a complainant sends; the operation cleans every part of it."""

    category_code: str
    description: str
    subject: str = Subject.SERVICE
    service_code: str = ""
    unit_code: str = ""
    case_tracking_number: str = ""
    case_access_code: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    latitude: Any = None
    longitude: Any = None
    address: str = ""
    photos: list[Any] = field(default_factory=list)
    is_confidential: bool = False
    is_anonymous: bool = False
    name: str = ""
    email: str = ""
    phone: str = ""
    language: str = "id"
    channel: str = "web"


# -- helpers ------------------------------------------------------------------------


def policy_of(agency_id: int) -> ComplaintPolicy:
    policy = (
        ComplaintPolicy.objects.select_related("admin_position", "agency")
        .filter(agency_id=agency_id)
        .first()
    )
    if policy is None:
        raise NotFound(_("This agency does not take complaints."), field="agency")
    return policy


def _lock(complaint_id: int) -> Complaint:
    complaint = (
        Complaint.objects.select_for_update(of=("self",), no_key=True)
        .select_related("agency", "category", "unit", "position")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None:
        raise NotFound(_("There is no complaint %(id)s.") % {"id": complaint_id}, field="id")
    return complaint


def _holding(officer: Officer, position: Position, now: dt.datetime) -> Actor:
    holding = ports.may_act(officer, position, now) if officer.is_active else None
    if holding is None:
        raise AuthorityError(
            _(
                "You do not hold the position %(position)s today, so you cannot act on this "
                "complaint."
            )
            % {"position": position.title},
            code="not_position_holder",
        )
    return Actor(officer=officer, position=position, capacity=holding.capacity, user=officer.user)


def _require_status(complaint: Complaint, *allowed: str) -> None:
    if complaint.status not in allowed:
        raise ConflictError(
            _("The complaint is %(status)s; this is not possible now.")
            % {"status": complaint.get_status_display()},
            code="wrong_status",
        )


def _reason(reason: str, field: str = "reason") -> str:
    text = clean_text(reason, field=field)
    if len(text) < MIN_REASON_LENGTH:
        raise ValidationError(
            _("Give a reason of at least %(min)d characters.") % {"min": MIN_REASON_LENGTH},
            field=field,
        )
    return text


def _record(
    complaint: Complaint,
    kind: str,
    now: dt.datetime,
    actor: Actor | None = None,
    *,
    text: str = "",
    is_public: bool = True,
    payload: dict[str, Any] | None = None,
) -> ComplaintEvent:
    """Append an event and its digest to the ledger: codes and hashes, never personal data."""
    actor = actor or Actor()
    last = complaint.events.aggregate(last=Max("sequence"))["last"] or 0
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        sequence=last + 1,
        at=now,
        kind=kind,
        officer=actor.officer,
        position=actor.position,
        capacity=actor.capacity,
        actor_user=actor.user if actor.user is not None and actor.user.pk else None,
        text=text,
        is_public=is_public,
        payload=payload or {},
    )
    content = json.dumps({"text": text, "payload": event.payload}, sort_keys=True, default=str)
    ports.ledger_append(
        {
            "tracking_number": complaint.tracking_number,
            "agency": complaint.agency.code,
            "category": complaint.category.code,
            "sequence": event.sequence,
            "kind": kind,
            "status": complaint.status,
            "position": actor.position.code if actor.position else "",
            "capacity": actor.capacity,
            "officer_nip": actor.officer.nip if actor.officer else "",
            "at": now.isoformat(),
            "data_hash": hashlib.sha256(content.encode()).hexdigest(),
        }
    )
    # Saving the complaint renders its public Open311 row again (no cache to invalidate).
    complaint.updated_at = now
    return event


def follow_url(complaint: Complaint) -> str:
    return settings.PUBLIC_BASE_URL + reverse("complaints:follow", args=[complaint.tracking_number])


def _notify(complaint: Complaint, event: ComplaintEvent, name: str, **context: Any) -> None:
    """Tell the complainant through the outbox, if they left a way to reach them."""
    email, phone = complaint.reporter_email or None, complaint.reporter_phone or None
    user = complaint.reporter_user
    if not (email or phone or user):
        return
    ports.enqueue_notification(
        event=name,
        language=complaint.language if complaint.language in ("id", "en") else "id",
        email=email,
        phone=phone,
        user=user,
        context={
            "tracking_number": complaint.tracking_number,
            "category_name": complaint.category.name,
            "follow_url": follow_url(complaint),
            **context,
        },
        dedupe_key=f"complaint-event:{event.pk}:{name}",
    )


def _pause(complaint: Complaint, now: dt.datetime) -> None:
    due = complaint.running_due_at
    left = dt.timedelta(0)
    if due is not None and due > now:
        left = ports.working_time_between(complaint.agency_id, now, due)
    complaint.remaining_seconds = int(left.total_seconds())
    complaint.paused_at = now
    complaint.paused_status = complaint.status


def _resume(complaint: Complaint, now: dt.datetime) -> None:
    remaining = dt.timedelta(seconds=complaint.remaining_seconds or 0)
    new_due = ports.add_working_time(complaint.agency_id, now, remaining)
    complaint.status = complaint.paused_status or Status.RECEIVED
    if complaint.status == Status.RECEIVED:
        complaint.verify_due_at = new_due
    else:
        complaint.due_at = new_due
    complaint.paused_at = None
    complaint.paused_status = ""
    complaint.remaining_seconds = None


# -- filing -------------------------------------------------------------------------


def _subject(filed: Filed, agency_id: int, user: User | None) -> dict[str, Any]:
    if filed.subject == Subject.SERVICE:
        service = ports.service_by_code(filed.service_code) if filed.service_code else None
        if filed.service_code and (service is None or service.agency_id != agency_id):
            raise ValidationError(_("There is no such service."), field="service_code")
        return {"subject": Subject.SERVICE, "service": service}
    if filed.subject == Subject.UNIT:
        unit = Unit.objects.filter(agency_id=agency_id, code=filed.unit_code).first()
        if unit is None:
            raise ValidationError(_("There is no such unit."), field="unit_code")
        return {"subject": Subject.UNIT, "about_unit": unit}
    if filed.subject == Subject.CASE:
        case = ports.case_by_tracking_number(filed.case_tracking_number)
        owner = case is not None and user is not None and case.applicant_user_id == user.pk
        proven = case is not None and ports.check_access_code(
            case.tracking_number, filed.case_access_code, case.access_code_hash
        )
        # Only the applicant may complain about an application: it shows on their case.
        if case is None or not (owner or proven):
            raise ValidationError(
                _("Give the tracking number and access code of your application."),
                field="case_tracking_number",
            )
        return {"subject": Subject.CASE, "case": case, "service": case.service}
    raise ValidationError(_("Choose a service, a unit or an application."), field="subject")


def file_complaint(
    *,
    agency_id: int,
    filed: Filed,
    user: User | None = None,
    now: dt.datetime | None = None,
) -> Filing:
    """Receive a complaint: clean it, number it, start the verification clock, notify.

    The complaint enters the queue of the agency's complaint administrators.
    """
    now = now or timezone.now()
    user = user if user is not None and user.pk else None
    policy = policy_of(agency_id)
    category = Category.objects.filter(
        agency_id=agency_id, code=filed.category_code, is_active=True
    ).first()
    if category is None:
        raise NotFound(_("There is no such complaint category."), field="service_code")
    description = clean_text(filed.description, field="description")
    attributes = clean_attributes(category, filed.attributes or {})
    location = clean_location(filed.latitude, filed.longitude, filed.address)
    contact = clean_contact(filed.name, filed.email, filed.phone)
    subject = _subject(filed, agency_id, user)
    if len(filed.photos) > MAX_PHOTOS:
        raise ValidationError(_("Send at most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos")
    return _file(
        policy, category, filed, description, attributes, location, contact, subject, user, now
    )


@transaction.atomic
def _file(
    policy: ComplaintPolicy,
    category: Category,
    filed: Filed,
    description: str,
    attributes: dict[str, Any],
    location: Any,
    contact: Any,
    subject: dict[str, Any],
    user: User | None,
    now: dt.datetime,
) -> Filing:
    year = timezone.localtime(now).year
    tracking = ports.tracking_number(
        TRACKING_PREFIX, year, ports.next_sequence(TRACKING_PREFIX, year)
    )
    access_code = ports.new_access_code()
    complaint = Complaint.objects.create(
        tracking_number=tracking,
        access_code_hash=ports.hash_access_code(tracking, access_code),
        agency=policy.agency,  # loaded: its time zone renders the Open311 row, no query
        category=category,
        unit=category.unit,
        position=policy.admin_position,
        description=description,
        attributes=attributes,
        latitude=location.latitude,
        longitude=location.longitude,
        address=location.address,
        is_confidential=bool(filed.is_confidential),
        is_anonymous=bool(filed.is_anonymous),
        reporter_user=user,
        reporter_name=contact.name or (user.get_full_name() if user else "") or "",  # type: ignore[attr-defined]
        reporter_email=contact.email or (getattr(user, "email", "") if user else ""),
        reporter_phone=contact.phone,
        language=filed.language if filed.language in ("id", "en") else "id",
        channel=filed.channel[:12],
        received_at=now,
        verify_due_at=ports.add_working_days(policy.agency_id, now, policy.verification_days),
        updated_at=now,
        **subject,
    )
    if complaint.case_id is not None:
        ports.note_complaint(complaint.case_id)  # shown on the case's tracking page
    for index, photo in enumerate(filed.photos):
        stored = ports.store_upload(
            fileobj=photo,
            original_name=str(getattr(photo, "name", "") or f"photo-{index + 1}"),
            allowed_types=PHOTO_TYPES,
            max_bytes=settings.LOKET_MAX_UPLOAD_BYTES,
            field="photos",
        )
        ComplaintPhoto.objects.create(complaint=complaint, stored_file=stored, uploaded_at=now)
    event = _record(
        complaint,
        "received",
        now,
        Actor(user=user),
        payload={"channel": complaint.channel, "photos": len(filed.photos)},
    )
    _notify(complaint, event, "complaint_received", due_date=complaint.verify_due_at)
    return Filing(complaint=complaint, access_code=access_code)


# -- verification (the complaint administrators) ------------------------------------


def verify(
    *,
    complaint_id: int,
    officer: Officer,
    tier: str,
    make_confidential: bool = False,
    make_anonymous: bool = False,
    now: dt.datetime | None = None,
) -> Complaint:
    """Accept a received complaint, set its tier and hand it to the category's handler.

    The switches can only be turned on here, never off against the complainant's choice.
    """
    return _verify(
        complaint_id, officer, tier, make_confidential, make_anonymous, now or timezone.now()
    )


@transaction.atomic
def _verify(
    complaint_id: int,
    officer: Officer,
    tier: str,
    confidential: bool,
    anonymous: bool,
    now: dt.datetime,
) -> Complaint:
    if tier not in Tier.values:
        raise ValidationError(_("Choose the tier of the complaint."), field="tier")
    complaint = _lock(complaint_id)
    _require_status(complaint, Status.RECEIVED)
    actor = _holding(officer, complaint.position, now)
    policy = policy_of(complaint.agency_id)
    complaint.status = Status.VERIFIED
    complaint.tier = tier
    complaint.verified_at = now
    complaint.verified_on_time = complaint.verify_due_at is None or now <= complaint.verify_due_at
    complaint.due_at = ports.add_working_days(complaint.agency_id, now, policy.tier_days(tier))
    complaint.is_confidential = complaint.is_confidential or confidential
    complaint.is_anonymous = complaint.is_anonymous or anonymous
    complaint.position = complaint.category.handler_position
    complaint.unit = complaint.category.unit
    complaint.escalated_at = None
    _record(
        complaint,
        "verified",
        now,
        actor,
        payload={
            "tier": tier,
            "due_at": complaint.due_at.isoformat(),
            "to_position": complaint.position.code,
            "confidential": complaint.is_confidential,
            "anonymous": complaint.is_anonymous,
        },
    )
    complaint.save()
    return complaint


def reject(
    *, complaint_id: int, officer: Officer, reason: str, now: dt.datetime | None = None
) -> Complaint:
    """Refuse a received complaint with a reason the public may read (e.g. bukan kewenangan)."""
    return _reject(complaint_id, officer, reason, now or timezone.now())


@transaction.atomic
def _reject(complaint_id: int, officer: Officer, reason: str, now: dt.datetime) -> Complaint:
    text = _reason(reason)
    complaint = _lock(complaint_id)
    _require_status(complaint, Status.RECEIVED)
    actor = _holding(officer, complaint.position, now)
    complaint.status = Status.REJECTED
    complaint.status_notes = text
    complaint.closed_at = now
    complaint.verified_on_time = complaint.verify_due_at is None or now <= complaint.verify_due_at
    event = _record(complaint, "rejected", now, actor, text=text)
    complaint.save()
    _notify(complaint, event, "complaint_closed", reason=text)
    return complaint


def ask_information(
    *, complaint_id: int, officer: Officer, question: str, now: dt.datetime | None = None
) -> Complaint:
    """Ask the complainant for more; the running clock stops until they answer."""
    return _ask(complaint_id, officer, question, now or timezone.now())


@transaction.atomic
def _ask(complaint_id: int, officer: Officer, question: str, now: dt.datetime) -> Complaint:
    text = _reason(question, field="question")
    complaint = _lock(complaint_id)
    _require_status(complaint, Status.RECEIVED, *HANDLING_STATUSES)
    actor = _holding(officer, complaint.position, now)
    _pause(complaint, now)
    complaint.status = Status.AWAITING_INFO
    event = _record(
        complaint,
        "information_requested",
        now,
        actor,
        text=text,
        payload={"remaining_seconds": complaint.remaining_seconds},
    )
    complaint.save()
    _notify(complaint, event, "complaint_info_requested", reason=text)
    return complaint


def supply_information(
    *,
    complaint_id: int,
    text: str,
    user: User | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """The complainant answers the question; the clock runs again with the time it had left."""
    return _supply(complaint_id, text, user, now or timezone.now())


@transaction.atomic
def _supply(complaint_id: int, text: str, user: Any, now: dt.datetime) -> Complaint:
    cleaned = clean_text(text, field="text")
    complaint = _lock(complaint_id)
    _require_status(complaint, Status.AWAITING_INFO)
    _resume(complaint, now)
    # What the complainant adds is theirs: shown to officers, not on the public page.
    _record(complaint, "information_supplied", now, Actor(user=user), text=cleaned, is_public=False)
    complaint.save()
    return complaint


# -- handling (the position whose queue holds the complaint) -------------------------


def forward(
    *,
    complaint_id: int,
    officer: Officer,
    position_id: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Complaint:
    """Disposisi: hand the complaint to a position of another unit or agency on this installation.

    The clock keeps running at the receiver; a receiving agency's officers take over the
    queue and the origin agency keeps a read-only view.
    """
    return _forward(complaint_id, officer, position_id, reason, now or timezone.now())


@transaction.atomic
def _forward(
    complaint_id: int, officer: Officer, position_id: int, reason: str, now: dt.datetime
) -> Complaint:
    text = _reason(reason)
    target = Position.objects.select_related("unit", "agency").filter(pk=position_id).first()
    if target is None:
        raise ValidationError(_("Choose the position to forward to."), field="position")
    complaint = _lock(complaint_id)
    _require_status(complaint, *HANDLING_STATUSES)
    actor = _holding(officer, complaint.position, now)
    if target.pk == complaint.position_id:
        raise ValidationError(_("The complaint is already with that position."), field="position")
    if target.agency_id != complaint.agency_id:
        if not ComplaintPolicy.objects.filter(agency_id=target.agency_id).exists():
            raise ValidationError(
                _("That agency does not take complaints on this installation."), field="position"
            )
        complaint.origin_agency_id = complaint.origin_agency_id or complaint.agency_id
        complaint.agency_id = target.agency_id
        complaint.agency = target.agency
    previous = complaint.position.code
    complaint.position = target
    complaint.unit = target.unit
    complaint.status = Status.FORWARDED
    complaint.escalated_at = None
    _record(
        complaint,
        "forwarded",
        now,
        actor,
        text=text,
        payload={
            "from_position": previous,
            "to_position": target.code,
            "to_agency": target.agency.code,
        },
    )
    complaint.save()
    return complaint


def raise_tier(
    *, complaint_id: int, officer: Officer, tier: str, reason: str, now: dt.datetime | None = None
) -> Complaint:
    """Move the complaint to a higher tier; the deadline counts again from verification."""
    return _raise_tier(complaint_id, officer, tier, reason, now or timezone.now())


@transaction.atomic
def _raise_tier(
    complaint_id: int, officer: Officer, tier: str, reason: str, now: dt.datetime
) -> Complaint:
    text = _reason(reason)
    if tier not in Tier.values:
        raise ValidationError(_("Choose the tier of the complaint."), field="tier")
    complaint = _lock(complaint_id)
    _require_status(complaint, *HANDLING_STATUSES)
    actor = _holding(officer, complaint.position, now)
    order = list(Tier.values)
    if order.index(tier) <= order.index(complaint.tier):
        raise ValidationError(_("A tier can only be raised."), field="tier")
    policy = policy_of(complaint.agency_id)
    start = complaint.verified_at or now
    complaint.due_at = ports.add_working_days(complaint.agency_id, start, policy.tier_days(tier))
    previous, complaint.tier = complaint.tier, tier
    _record(
        complaint,
        "tier_raised",
        now,
        actor,
        text=text,
        payload={"from": previous, "to": tier, "due_at": complaint.due_at.isoformat()},
    )
    complaint.save()
    return complaint


def start_follow_up(
    *, complaint_id: int, officer: Officer, now: dt.datetime | None = None
) -> Complaint:
    """The handling position takes the complaint up (ditindaklanjuti)."""
    return _start_follow_up(complaint_id, officer, now or timezone.now())


@transaction.atomic
def _start_follow_up(complaint_id: int, officer: Officer, now: dt.datetime) -> Complaint:
    complaint = _lock(complaint_id)
    _require_status(complaint, Status.VERIFIED, Status.FORWARDED)
    actor = _holding(officer, complaint.position, now)
    complaint.status = Status.IN_FOLLOW_UP
    _record(complaint, "follow_up_started", now, actor)
    complaint.save()
    return complaint


def answer(
    *, complaint_id: int, officer: Officer, text: str, now: dt.datetime | None = None
) -> Complaint:
    """Post the follow-up answer; the complainant has the configured working days to reply."""
    return _answer(complaint_id, officer, text, now or timezone.now())


@transaction.atomic
def _answer(complaint_id: int, officer: Officer, text: str, now: dt.datetime) -> Complaint:
    cleaned = _reason(text, field="text")
    complaint = _lock(complaint_id)
    _require_status(complaint, *HANDLING_STATUSES)
    actor = _holding(officer, complaint.position, now)
    policy = policy_of(complaint.agency_id)
    complaint.status = Status.ANSWERED
    complaint.answered_at = now
    complaint.answered_on_time = complaint.due_at is None or now <= complaint.due_at
    complaint.close_due_at = ports.add_working_days(
        complaint.agency_id, now, policy.auto_close_days
    )
    event = _record(
        complaint,
        "answered",
        now,
        actor,
        text=cleaned,
        payload={"close_due_at": complaint.close_due_at.isoformat()},
    )
    complaint.save()
    _notify(complaint, event, "complaint_answered", answer=cleaned, due_date=complaint.close_due_at)
    return complaint


# -- the complainant's reply ---------------------------------------------------------


def reply(
    *,
    complaint_id: int,
    text: str,
    is_satisfied: bool,
    user: User | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Reply to the answer: satisfied closes the complaint, unsatisfied reopens it.

    Either way the auto-close timer is cancelled. A reopened complaint returns to the
    handling position with a fresh deadline of its tier.
    """
    return _reply(complaint_id, text, is_satisfied, user, now or timezone.now())


@transaction.atomic
def _reply(complaint_id: int, text: str, satisfied: bool, user: Any, now: dt.datetime) -> Complaint:
    cleaned = clean_text(text, field="text", required=not satisfied)
    complaint = _lock(complaint_id)
    _require_status(complaint, Status.ANSWERED)
    complaint.close_due_at = None
    actor = Actor(user=user)
    if satisfied:
        complaint.status = Status.CLOSED
        complaint.closed_at = now
        complaint.status_notes = _("The complainant accepted the answer.")
        event = _record(
            complaint,
            "closed",
            now,
            actor,
            text=cleaned,
            is_public=False,
            payload={"by": "complainant"},
        )
        _notify(complaint, event, "complaint_closed", reason=complaint.status_notes)
    else:
        policy = policy_of(complaint.agency_id)
        complaint.status = Status.IN_FOLLOW_UP
        complaint.due_at = ports.add_working_days(
            complaint.agency_id, now, policy.tier_days(complaint.tier or Tier.NORMATIVE)
        )
        complaint.escalated_at = None
        _record(
            complaint,
            "reopened",
            now,
            actor,
            text=cleaned,
            is_public=False,
            payload={"due_at": complaint.due_at.isoformat()},
        )
    complaint.save()
    return complaint


# -- timers ---------------------------------------------------------------------------


def close_unanswered(*, now: dt.datetime | None = None) -> int:
    """Close every answered complaint whose reply period ran out; one transaction each."""
    now = now or timezone.now()
    due = Complaint.objects.filter(status=Status.ANSWERED, close_due_at__lte=now)
    closed = 0
    for complaint_id in list(due.values_list("pk", flat=True)):
        closed += _close_unanswered(complaint_id, now)
    return closed


@transaction.atomic
def _close_unanswered(complaint_id: int, now: dt.datetime) -> int:
    complaint = _lock(complaint_id)
    if complaint.status != Status.ANSWERED or not complaint.close_due_at:
        return 0
    if complaint.close_due_at > now:
        return 0
    complaint.status = Status.CLOSED
    complaint.closed_at = now
    complaint.status_notes = _("Closed: no reply to the answer within the reply period.")
    event = _record(complaint, "closed", now, payload={"by": "timer"})
    complaint.save()
    _notify(complaint, event, "complaint_closed", reason=complaint.status_notes)
    return 1


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Tell the head above the queue's position about each complaint past its running deadline."""
    now = now or timezone.now()
    # The shared UNION ALL form: one range of each deadline index, not a table scan.
    overdue = counts.overdue_ids(now, unescalated=True)
    escalated = 0
    for pk in list(overdue):
        try:
            escalated += _escalate(pk, now)
        except Exception:
            log.exception("escalating complaint %s failed", pk)
    return escalated


@transaction.atomic
def _escalate(complaint_id: int, now: dt.datetime) -> int:
    complaint = _lock(complaint_id)
    if complaint.escalated_at is not None or not complaint.is_overdue_at(now):
        return 0
    superior = ports.superior_of(complaint.position)
    holders = ports.holders_at(superior, now) if superior is not None else []
    complaint.escalated_at = now
    event = _record(
        complaint,
        "escalated",
        now,
        is_public=False,
        payload={
            "position": complaint.position.code,
            "superior_position": superior.code if superior else "",
            "notified": [h.officer.nip for h in holders],
        },
    )
    complaint.save()
    stage = _("Verification") if complaint.status == Status.RECEIVED else _("Follow-up")
    for holding in holders:
        ports.enqueue_notification(
            event="task_overdue_escalated",
            language="id",
            email=holding.officer.user.email or None,
            user=holding.officer.user,
            context={
                "officer_name": holding.officer.name,
                "tracking_number": complaint.tracking_number,
                "service_name": complaint.category.name,
                "step_name": stage,
                "position_name": complaint.position.title,
                "due_date": complaint.running_due_at,
                "task_url": settings.PUBLIC_BASE_URL
                + reverse("workspace:complaint_detail", args=[complaint.pk]),
            },
            dedupe_key=f"complaint-event:{event.pk}:escalated:{holding.officer.pk}",
        )
    return 1


def archive(*, complaint_id: int, officer: Officer, now: dt.datetime | None = None) -> Complaint:
    """File a finished complaint away (arsip); only the agency's complaint administrators may."""
    return _archive(complaint_id, officer, now or timezone.now())


@transaction.atomic
def _archive(complaint_id: int, officer: Officer, now: dt.datetime) -> Complaint:
    complaint = _lock(complaint_id)
    _require_status(complaint, Status.CLOSED, Status.REJECTED)
    actor = _holding(officer, policy_of(complaint.agency_id).admin_position, now)
    complaint.status = Status.ARCHIVED
    _record(complaint, "archived", now, actor, is_public=False)
    complaint.save()
    return complaint
