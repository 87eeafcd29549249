"""Turning definitions and cases into what the applicant pages show.

Nothing here changes state or decides anything; it only words and orders
what the catalog and the case engine hold, in the visitor's language.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from loket.calendar.workingtime import working_days_between
from loket.cases import tracking
from loket.cases.models import Case
from loket.catalog import selectors as catalog_selectors
from loket.catalog.definitions import ServiceDefinition, compiled
from loket.catalog.fields import localized
from loket.catalog.models import Service
from loket.documents.uploads import format_megabytes
from loket.org import titles as position_titles
from loket.org.titles import Title
from loket.portal.forms import allowed_types_text


def rupiah(amount: int) -> str:
    return "Rp" + number_format(amount, force_grouping=True)


def duration_text(deadline: dict[str, Any] | None) -> str:
    deadline = deadline or {}
    if deadline.get("working_days") is not None:
        days = int(deadline["working_days"])
        return ngettext("%(n)s working day", "%(n)s working days", days) % {"n": days}
    if deadline.get("working_hours") is not None:
        hours = deadline["working_hours"]
        return ngettext("%(n)s working hour", "%(n)s working hours", int(hours)) % {
            "n": number_format(hours)
        }
    return ""


# -- the fee ----------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<ref>(?:data|tables)(?:\.[A-Za-z_][A-Za-z0-9_]*)+)"
    r"|(?P<func>[A-Za-z_][A-Za-z0-9_]*)\s*\("
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[-+*/%()<>?:!,])"
    r"|(?P<text>'[^']*'|\"[^\"]*\")"
    r"|(?P<other>\S+))"
)
_CASTS = {"double", "int", "uint"}
_OPERATORS = {
    "*": "×",
    "/": "÷",
    "&&": gettext_lazy("and"),
    "||": gettext_lazy("or"),
    "==": "=",
    "!=": "≠",
    "<=": "≤",
    ">=": "≥",
}


def describe_expression(expression: str, definition: ServiceDefinition, language: str) -> str:
    """A CEL fee formula in words: field labels instead of names, × instead of *.

    `double(tables.kelas_lokasi.tarif_per_m2_bulan) * data.panjang_m` becomes
    "tarif per m2 bulan (tabel kelas lokasi) × Panjang bidang reklame (m)".
    """
    labels = {f.name: f.label_text(language) for f in definition.data_fields}
    words: list[str] = []
    closing: list[bool] = []  # per open parenthesis: is it a cast whose ")" we drop?
    for match in _TOKEN.finditer(expression):
        kind, token = match.lastgroup, match.group(match.lastgroup or 0)
        if kind == "ref":
            parts = token.split(".")
            if parts[0] == "data" and len(parts) == 2:
                words.append(labels.get(parts[1]) or parts[1].replace("_", " "))
            else:
                words.append(
                    _("%(output)s (table %(table)s)")
                    % {"output": parts[-1].replace("_", " "), "table": parts[1].replace("_", " ")}
                )
        elif kind == "func":
            closing.append(token in _CASTS)
            if token not in _CASTS:
                words.append(f"{token}(")
        elif kind == "op" and token == "(":
            closing.append(False)
            words.append("(")
        elif kind == "op" and token == ")":
            if not (closing.pop() if closing else False):
                words.append(")")
        elif kind == "num":
            words.append(
                number_format(float(token) if "." in token else int(token), force_grouping=True)
            )
        elif kind == "op":
            words.append(str(_OPERATORS.get(token, token)))
        elif token:
            words.append(token)
    text = " ".join(words)
    return re.sub(r"\( ", "(", re.sub(r" \)", ")", text))


@dataclass(frozen=True)
class FeeText:
    is_free: bool
    is_computed: bool
    amount: str  # "Rp25.000", "" when computed
    formula: str  # the expression in words, "" when fixed
    note: str


def fee_text(definition: ServiceDefinition, language: str) -> FeeText:
    fee = definition.fee
    note = localized(fee.note, language)
    if fee.amount is not None:
        return FeeText(fee.is_free, False, rupiah(fee.amount), "", note)
    formula = describe_expression(fee.expression or "", definition, language)
    return FeeText(False, True, "", formula, note)


# -- the service standard ------------------------------------------------------------


def service_name(service: Service, language: str) -> str:
    return (service.name_en if language == "en" else "") or service.name


def procedure(
    service: Service, definition: ServiceDefinition, language: str
) -> list[dict[str, str]]:
    """The steps in order, with who acts (a position title, never a person) and how long."""
    positions = {s["position"] for s in definition.steps if s.step_kind.acts_by_position}
    titles = catalog_selectors.position_titles(service.agency_id, positions)

    def in_words(expression: str) -> str:
        return describe_expression(expression, definition, language)

    return [
        {
            "id": step.id,
            "name": localized(step.name, language),
            "who": step.step_kind.who(step, titles, language),
            "time": duration_text(step.get("deadline")),
            "note": step.step_kind.note(step, language, in_words=in_words),
        }
        for step in definition.steps
    ]


def requirements(definition: ServiceDefinition, language: str) -> dict[str, list[dict[str, Any]]]:
    data = [
        {
            "label": spec.label_text(language),
            "help": localized(spec.help, language),
            "rules": "; ".join(spec.kind.describe(spec, language=language)),
            "required": spec.required,
        }
        for spec in definition.data_fields
    ]
    documents = [
        {
            "name": spec.name,
            "label": spec.label_text(language),
            "help": localized(spec.help, language),
            "types": allowed_types_text(list(spec.types)),
            "max_size": _("%(size)s MB") % {"size": format_megabytes(spec.max_bytes)},
            "required": spec.required,
        }
        for spec in definition.document_requirements
    ]
    return {"data": data, "documents": documents}


def standard_extras(definition: ServiceDefinition, language: str) -> list[tuple[str, str]]:
    """Decree, Maklumat Pelayanan, hours, complaint times and calendar, as (title, text)."""
    standard = definition.raw.get("standard") or {}
    rows: list[tuple[str, str]] = []
    decree = standard.get("decree")
    if decree and decree.get("number"):
        date = (
            dt.date.fromisoformat(decree["date"]).strftime("%d-%m-%Y") if decree.get("date") else ""
        )
        text = _("No. %(number)s of %(date)s") % {"number": decree["number"], "date": date}
        title = localized(decree.get("title"), language)
        rows.append((_("Decree establishing the standard"), f"{title} {text}".strip()))
    for key, heading in (
        ("service_pledge", _("Service pledge (Maklumat Pelayanan)")),
        ("service_hours", _("Service hours")),
    ):
        if standard.get(key):
            rows.append((heading, localized(standard[key], language)))
    times = standard.get("complaint_resolution")
    if times:
        rows.append(
            (
                _("Complaint handling time"),
                _(
                    "A response within %(response)s working days; resolved within "
                    "%(resolution)s working days."
                )
                % {
                    "response": times["response_working_days"],
                    "resolution": times["resolution_working_days"],
                },
            )
        )
    calendar = standard.get("calendar")
    if calendar:
        rows.append(
            (
                _("Working days"),
                _("Deadlines skip weekends, public holidays and cuti bersama.")
                if calendar == "with_collective_leave"
                else _(
                    "Deadlines skip weekends and public holidays; cuti bersama are working days."
                ),
            )
        )
    return rows


def standard_components(definition: ServiceDefinition, language: str) -> list[tuple[str, str]]:
    """The remaining components of the service standard (PermenPANRB 15/2014), in order."""
    standard = definition.raw.get("standard") or {}
    headings = [
        ("service_guarantee", _("Service guarantee")),
        ("security_guarantee", _("Security and safety guarantee")),
        ("facilities", _("Facilities")),
        ("officer_competence", _("Officer competence")),
        ("number_of_officers", _("Number of officers")),
        ("internal_supervision", _("Internal supervision")),
        ("performance_evaluation", _("Performance evaluation")),
    ]
    return [
        (title, localized(standard.get(key), language))
        for key, title in headings
        if standard.get(key)
    ]


# -- a case for its applicant -------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    at: dt.datetime
    what: str
    step: str
    who: str
    reason: str
    due: dt.datetime | None


def _position_title(title: Title | None, capacity: str, language: str) -> str:
    if title is None:
        return ""
    prefix = {"plt": "Plt. ", "plh": "Plh. "}.get((capacity or "").lower(), "")
    return prefix + title.text(language)


def _event_text(event: tracking.Entry) -> str | None:
    kind, action = event.kind, event.action
    texts = {
        "submitted": _("Application received"),
        "resubmitted": _("Revised application sent"),
        "task_opened": _("Step started"),
        "awaiting_applicant": _("Returned to you for revision"),
        "branches_started": _("Reviews started in parallel"),
        "issued": _("Document issued and signed"),
        "awaiting_payment": _("Bill issued: waiting for payment"),
        "paid": _("Payment received"),
        "payment_expired": _("Bill not paid by its due date"),
        "declared_complete": _("Application declared complete: the service deadline starts"),
        "applicant_deadline_lapsed": _("The deadline for your revision passed"),
    }
    if kind in texts:
        return texts[kind]
    if kind == "auto_step":
        return {
            "passed": _("Automatic check passed"),
            "returned": _("Automatic check: revision needed"),
            "rejected": _("Automatic check: not eligible"),
        }.get(action, _("Automatic check done"))
    if kind == "decided":
        return {
            "approve": _("Approved"),
            "reject": _("Rejected"),
            "return": _("Returned for revision"),
        }.get(action, _("Decided"))
    if kind == "closed" and action == "cancelled" and event.step_id:
        # Cancelled at an end step of the definition (e.g. an unpaid bill), not withdrawn.
        return _("Application closed")
    if kind == "closed":
        return {
            "approved": _("Application completed"),
            "rejected": _("Application closed: rejected"),
            "cancelled": _("Application withdrawn by the applicant"),
        }.get(action, _("Application closed"))
    return None  # internal bookkeeping (branch arrivals, joins) is not shown


def _event_who(entry: tracking.Entry, titles: dict[int, Title], language: str) -> str:
    if entry.kind in {"submitted", "resubmitted"} or (
        entry.kind == "closed" and entry.action == "cancelled" and not entry.step_id
    ):
        return _("Applicant")
    if entry.kind == "task_opened" and entry.task_position_id is not None:
        return _position_title(titles.get(entry.task_position_id), "", language)
    if entry.position_id is not None:
        return _position_title(titles.get(entry.position_id), entry.capacity, language)
    return _("The system, automatically")


def timeline(case: Case, entries: Iterable[tracking.Entry], language: str) -> list[TimelineRow]:
    """The applicant's history from the case's tracking read model (no query while the
    agency's position titles are cached)."""
    definition = compiled(case.service_version)
    entries = list(entries)
    titles = position_titles.by_id(
        case.agency_id,
        {p for e in entries for p in (e.position_id, e.task_position_id) if p is not None},
    )
    rows: list[TimelineRow] = []
    for entry in entries:
        what = _event_text(entry)
        if what is None:
            continue
        rows.append(
            TimelineRow(
                at=entry.at,
                what=what,
                step=definition.step_name(entry.step_id, language) if entry.step_id else "",
                who=_event_who(entry, titles, language),
                reason=_reason_once(entry, rows[-1].reason if rows else ""),
                due=entry.task_due if entry.kind == "task_opened" else None,
            )
        )
    return rows


def _reason_once(event: tracking.Entry, shown_just_before: str) -> str:
    """An officer's return leads straight to the wait for the applicant, both carrying
    the reason: it is shown once, with the decision."""
    if event.kind == "awaiting_applicant" and event.reason == shown_just_before:
        return ""
    return event.reason


@dataclass(frozen=True)
class Deadline:
    due_at: dt.datetime | None
    state: str  # none | paused | on_track | overdue | done_on_time | done_late
    text: str


def deadline(case: Case, now: dt.datetime | None = None) -> Deadline:
    """When the case is due and whether it is on time, in working days."""
    now = now or timezone.now()
    due = case.due_at
    if due is None:
        return Deadline(None, "none", "")
    if case.is_closed:
        closed = case.closed_at or now
        if closed <= due:
            return Deadline(due, "done_on_time", _("Finished on time."))
        return Deadline(due, "done_late", _("Finished after the promised date."))
    if case.paused_at is not None:
        return Deadline(
            due, "paused", _("The clock is stopped while the application waits for you.")
        )
    if due > now:
        days = math.ceil(working_days_between(case.agency, now, due) - 1e-9)
        if days <= 0:
            return Deadline(due, "on_track", _("Due today."))
        text = ngettext("%(n)s working day left.", "%(n)s working days left.", days) % {"n": days}
        return Deadline(due, "on_track", text)
    late = math.ceil(working_days_between(case.agency, due, now) - 1e-9)
    text = ngettext(
        "Late by %(n)s working day. We apologise.",
        "Late by %(n)s working days. We apologise.",
        max(late, 1),
    ) % {"n": max(late, 1)}
    return Deadline(due, "overdue", text)


def data_rows(
    definition: ServiceDefinition, data: dict[str, Any], language: str
) -> list[tuple[str, str]]:
    """(label, value as read) for every data field with a value, in definition order."""
    return definition.display_rows(data, language)
