"""Read-only questions about complaints: the public watchdog, queues, who may see what."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.complaints import ports
from loket.complaints.models import (
    CLOSED_STATUSES,
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintPolicy,
)
from loket.complaints.models import UnitCount as UnitCountRow
from loket.core.errors import ValidationError
from loket.org.models import Officer

PUBLIC_PAGE_SIZE = 25


def policy_by_jurisdiction(jurisdiction_id: str) -> ComplaintPolicy | None:
    return (
        ComplaintPolicy.objects.select_related("agency")
        .filter(jurisdiction_id=(jurisdiction_id or "").strip().lower())
        .first()
    )


def policies() -> list[ComplaintPolicy]:
    return list(ComplaintPolicy.objects.select_related("agency").order_by("agency__name"))


def categories_of(agency_id: int) -> list[Category]:
    return list(Category.objects.filter(agency_id=agency_id, is_active=True).order_by("order"))


def category(agency_id: int, code: str) -> Category | None:
    return Category.objects.filter(agency_id=agency_id, code=code, is_active=True).first()


def by_tracking_number(tracking_number: str) -> Complaint | None:
    return (
        Complaint.objects.select_related("agency", "category", "unit", "position", "case")
        .filter(tracking_number=(tracking_number or "").strip().upper())
        .first()
    )


def public_complaints(agency_id: int | None = None) -> QuerySet[Complaint]:
    """Complaints the public may see: never the confidential ones."""
    # Contact data is never shown publicly: not even loaded (nor decrypted).
    queryset = (
        Complaint.objects.filter(is_confidential=False)
        .select_related("category", "unit")
        .defer("reporter_name", "reporter_email", "reporter_phone", "attributes")
    )
    if agency_id is not None:
        queryset = queryset.filter(agency_id=agency_id)
    return queryset.order_by("-received_at", "-pk")


class Cursor(NamedTuple):
    """A place in the public list, whose order is (received time, id), newest first."""

    received_at: dt.datetime
    pk: int

    def token(self) -> str:
        """`<microseconds since 1970 UTC>-<id>`: opaque to visitors, exact to compare."""
        delta = self.received_at - EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}-{self.pk}"

    @classmethod
    def of(cls, complaint: Complaint) -> Cursor:
        return cls(complaint.received_at, complaint.pk)

    @classmethod
    def parse(cls, token: str) -> Cursor:
        """The cursor a link carries; ValidationError for anything a link never holds."""
        match = CURSOR_PATTERN.fullmatch(token or "")
        if match is None:
            raise ValidationError(_("This page link is not valid."), field="cursor")
        try:
            moment = EPOCH + dt.timedelta(microseconds=int(match["micros"]))
        except OverflowError:
            raise ValidationError(_("This page link is not valid."), field="cursor") from None
        return cls(moment, int(match["pk"]))


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# At most 16 digits of microseconds (up to the year 2286) and an id of at most 18 digits.
CURSOR_PATTERN = re.compile(r"(?P<micros>[0-9]{1,16})-(?P<pk>[0-9]{1,18})")


@dataclass(frozen=True)
class Page:
    """One page of the public list and the cursors of its neighbours (None: no such page)."""

    complaints: list[Complaint]
    older: Cursor | None
    newer: Cursor | None
    is_newest: bool = True  # the first page (no cursor)


def public_page(
    *,
    older_than: Cursor | None = None,
    newer_than: Cursor | None = None,
    size: int | None = None,
) -> Page:
    """One page of the public list by keyset, newest first: one query at any depth.

    `older_than` gives the page after a cursor, `newer_than` the one before it (none:
    the newest page). Each walks the (confidential, received, id) index from the cursor,
    where an OFFSET read and threw away every row before the page.
    """
    size = size or PUBLIC_PAGE_SIZE
    listed = public_complaints()
    if newer_than is not None:
        rows = list(listed.filter(_after(newer_than)).order_by("received_at", "pk")[: size + 1])
        if len(rows) <= size:  # back at the top: the newest page, full
            return public_page(size=size)
        page = rows[:size][::-1]
        return Page(page, older=Cursor.of(page[-1]), newer=Cursor.of(page[0]), is_newest=False)
    if older_than is not None:
        listed = listed.filter(_before(older_than))
    rows = list(listed[: size + 1])
    page = rows[:size]
    return Page(
        page,
        older=Cursor.of(page[-1]) if len(rows) > size else None,
        newer=Cursor.of(page[0]) if older_than is not None and page else None,
        is_newest=older_than is None,
    )


def _before(cursor: Cursor) -> Q:
    # `received_at <= t` is the index range; the OR only sorts out ties on the time.
    return Q(received_at__lte=cursor.received_at) & (
        Q(received_at__lt=cursor.received_at) | Q(pk__lt=cursor.pk)
    )


def _after(cursor: Cursor) -> Q:
    return Q(received_at__gte=cursor.received_at) & (
        Q(received_at__gt=cursor.received_at) | Q(pk__gt=cursor.pk)
    )


def public_events(complaint: Complaint) -> list[ComplaintEvent]:
    """The public part of a complaint's history: stages, answers, reasons; no names."""
    return list(complaint.events.filter(is_public=True).order_by("sequence"))


@dataclass(frozen=True)
class UnitCount:
    unit_name: str
    received: int
    resolved_on_time: int
    overdue: int


def counts_per_unit(now: dt.datetime | None = None) -> list[UnitCount]:
    """Received, resolved on time and overdue, per responsible unit; exact, uncached.

    Received and resolved on time are counters kept by every complaint transition;
    overdue is counted from the deadline indexes at the moment (loket.complaints.counts).
    Two queries whatever the number of complaints. Confidential complaints count too:
    the numbers say nothing about their content.
    """
    from loket.complaints import counts

    overdue = counts.overdue_per_unit(now or timezone.now())
    kept = {
        unit_id: (name, received, resolved)
        for unit_id, name, received, resolved in UnitCountRow.objects.values_list(
            "unit_id", "unit__name", "received", "resolved_on_time"
        )
        if received
    }
    missing = set(overdue) - set(kept)
    if missing:  # only if the counters drifted: still show the overdue ones
        for unit_id, name in _unit_names(missing).items():
            kept[unit_id] = (name, 0, 0)
    rows = [
        UnitCount(name, received, resolved, overdue.get(unit_id, 0))
        for unit_id, (name, received, resolved) in kept.items()
    ]
    return sorted(rows, key=lambda row: row.unit_name)


def _unit_names(unit_ids: Collection[int]) -> dict[int, str]:
    return dict(
        Complaint.objects.filter(unit_id__in=list(unit_ids))
        .order_by()
        .values_list("unit_id", "unit__name")
        .distinct()
    )


# -- officers ---------------------------------------------------------------------------


def queue_for(officer: Officer, now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """Open complaints in the queues of the positions the officer holds now, due first
    (the page shows them a page at a time)."""
    now = now or timezone.now()
    positions = [h.position.pk for h in ports.holdings_of(officer, now)]
    return (
        Complaint.objects.filter(position_id__in=positions)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("category", "unit", "position")
        .order_by("due_at", "verify_due_at", "received_at", "pk")
    )


@dataclass(frozen=True)
class OfficerView:
    complaint: Complaint
    may_act: bool  # holds the position whose queue the complaint is in
    is_admin: bool  # a complaint administrator of the receiving agency
    may_see_contact: bool


def officer_view(officer: Officer, complaint_id: int, now: dt.datetime | None = None) -> Any:
    """What an officer may see of a complaint, or None if it is not theirs to see.

    Holders of the complaint's position act on it; the receiving agency's complaint
    administrators see it and its contact data; officers of an agency that forwarded it
    keep a read-only view. Anonymous complainants' contact data is for administrators only.
    """
    now = now or timezone.now()
    complaint = (
        Complaint.objects.select_related("agency", "category", "unit", "position", "case")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None:
        return None
    held = {h.position.pk for h in ports.holdings_of(officer, now)}
    policy = ComplaintPolicy.objects.filter(agency_id=complaint.agency_id).first()
    is_admin = policy is not None and policy.admin_position_id in held
    may_act = complaint.position_id in held
    origin = (
        complaint.origin_agency_id is not None
        and officer.agency_id == complaint.origin_agency_id
        and ComplaintPolicy.objects.filter(
            agency_id=complaint.origin_agency_id, admin_position_id__in=held
        ).exists()
    )
    if not (is_admin or may_act or origin):
        return None
    may_see_contact = is_admin or (may_act and not complaint.is_anonymous)
    return OfficerView(complaint, may_act, is_admin, may_see_contact)


def complaints_on_case(case_id: int) -> list[Complaint]:
    """Complaints filed about an application, for its officers and its applicant."""
    return list(Complaint.objects.filter(case_id=case_id).select_related("category").order_by("pk"))


OPEN311_MAX_REQUESTS = 1000
OPEN311_WINDOW = dt.timedelta(days=90)


class PublicRow(NamedTuple):
    """One request of an Open311 GET: the parts that are not the complaint's own
    (names, status notes) and its pre-rendered fragment in the asked format."""

    category_name: str
    category_code: str
    unit_name: str
    status: str
    status_notes: str
    fragment: str


def _fragment_column(fmt: str) -> str:
    return "public_xml" if fmt == "xml" else "public_json"


def _public_rows(queryset: QuerySet[Complaint], fmt: str) -> list[PublicRow]:
    column = _fragment_column(fmt)
    rows = [
        PublicRow(*row)
        for row in queryset.values_list(
            "category__name", "category__code", "unit__name", "status", "status_notes", column
        )
    ]
    if any(not row.fragment for row in rows):
        rows = _render_missing(queryset, rows, fmt)
    return rows


def _render_missing(
    queryset: QuerySet[Complaint], rows: list[PublicRow], fmt: str
) -> list[PublicRow]:
    """Rows saved before the fragments existed (the migration fills them; this is the
    belt to its braces): rendered from the complaint, one more query."""
    from loket.complaints import public_rows

    complaints = list(
        queryset.select_related("agency").defer("reporter_name", "reporter_email", "reporter_phone")
    )
    rendered = [public_rows.render(c) for c in complaints]
    return [
        row._replace(fragment=row.fragment or json_xml[1 if fmt == "xml" else 0])
        for row, json_xml in zip(rows, rendered, strict=True)
    ]


def open311_request(*, complaint: Complaint, fmt: str) -> PublicRow:
    """The public row of a complaint already loaded with its category and unit."""
    from loket.complaints import public_rows

    fragment = (
        getattr(complaint, _fragment_column(fmt))
        or public_rows.render(complaint)[1 if fmt == "xml" else 0]
    )
    return PublicRow(
        complaint.category.name,
        complaint.category.code,
        complaint.unit.name,
        complaint.status,
        complaint.status_notes,
        fragment,
    )


def open311_requests(
    *,
    agency_id: int,
    fmt: str = "json",
    request_ids: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    closed: bool | None = None,
    now: dt.datetime | None = None,
) -> list[PublicRow]:
    """Non-confidential requests of one jurisdiction, newest first; one query.

    Ids override every other filter. Without dates the window is the last 90 days,
    and never more than 1,000 requests are returned (the GeoReport v2 default).
    Each row's own fields come pre-rendered (`public_rows`): no model instances, no
    contact columns; the order walks the (agency, confidential, received, id) index.
    """
    queryset = Complaint.objects.filter(agency_id=agency_id, is_confidential=False)
    if request_ids:
        queryset = queryset.filter(tracking_number__in=request_ids[:OPEN311_MAX_REQUESTS])
    else:
        now = now or timezone.now()
        if start is None and end is None:
            start, end = now - OPEN311_WINDOW, now
        if start is not None:
            queryset = queryset.filter(received_at__gte=start)
        if end is not None:
            queryset = queryset.filter(received_at__lte=end)
        if service_codes:
            queryset = queryset.filter(
                category_id__in=Category.objects.filter(
                    agency_id=agency_id, code__in=service_codes
                ).values("pk")
            )
        if closed is True:
            queryset = queryset.filter(status__in=CLOSED_STATUSES)
        elif closed is False:
            queryset = queryset.exclude(status__in=CLOSED_STATUSES)
    ordered = queryset.order_by("-received_at", "-pk")[:OPEN311_MAX_REQUESTS]
    return _public_rows(ordered, fmt)


def handling_rows(
    *,
    start: dt.datetime,
    end: dt.datetime,
    service_id: int | None = None,
    unit_ids: Collection[int] | None = None,
) -> list[tuple[dt.datetime, dt.datetime | None, dt.datetime | None, bool | None]]:
    """(received, tier due, answered, answered on time) of the complaints received in
    [start, end) about a service, or handled by one of the units or about one of their
    services: the K11 inputs, no content and no complainant."""
    queryset = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    if service_id is not None:
        queryset = queryset.filter(service_id=service_id)
    if unit_ids is not None:
        ids = list(unit_ids)
        queryset = queryset.filter(Q(unit_id__in=ids) | Q(service__unit_id__in=ids))
    return list(
        queryset.order_by().values_list("received_at", "due_at", "answered_at", "answered_on_time")
    )


def open_counts(*, unit_ids: Collection[int], now: dt.datetime) -> dict[str, int]:
    """Open and overdue complaints handled by the units now (two indexed queries).

    Overdue is the shared UNION ALL form of `loket.complaints.counts`, so it reads one
    range of each deadline index instead of every open complaint of the units.
    """
    from loket.complaints import counts

    ids = list(unit_ids)
    open_now = Complaint.objects.filter(unit_id__in=ids).exclude(status__in=CLOSED_STATUSES)
    return {"open": open_now.count(), "overdue": counts.overdue_count(now, unit_ids=ids)}


def count_on_cases(case_ids: Collection[int]) -> int:
    """How many complaints were filed about these applications (one query)."""
    if not case_ids:
        return 0
    return Complaint.objects.filter(case_id__in=list(case_ids)).count()
