"""Turning a case into what the task page shows: data with labels, documents, checks, history.

Service definitions carry their own labels in Indonesian and English; the page
shows them in the officer's language, falling back to Indonesian.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from loket.cases import revision
from loket.cases.models import Case, CaseDocument, CaseEvent, Decision, Task
from loket.catalog.definitions import Check, ServiceDefinition, compiled
from loket.catalog.fields import DataField, localized
from loket.core.formats import ui_language
from loket.org.models import Position
from loket.workspace.forms import capacity_label

CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


language = ui_language


def position_title(position: Position | None) -> str:
    if position is None:
        return ""
    return (position.title_en if language() == "en" else "") or position.title


def service_name(case: Case) -> str:
    return (case.service.name_en if language() == "en" else "") or case.service.name


@dataclass(frozen=True)
class DataRow:
    label: str
    value: str


def data_rows(submitted: dict[str, Any], definition: ServiceDefinition) -> list[DataRow]:
    """The submitted data (as policy lets the reader see it) in the definition's order,
    each value shown by its field type (choice labels, "Rp25.000.000")."""
    lang = language()
    return [
        DataRow(label=spec.label_text(lang), value=spec.display(submitted[spec.name], lang))
        for spec in definition.data_fields
        if spec.name in submitted
    ]


@dataclass
class DocumentGroup:
    """One requirement and the files sent for it, newest revision first."""

    name: str
    label: str
    files: list[CaseDocument] = field(default_factory=list)

    @property
    def latest(self) -> CaseDocument | None:
        return self.files[0] if self.files else None


def document_groups(case: Case, definition: ServiceDefinition) -> list[DocumentGroup]:
    lang = language()
    groups = {
        spec.name: DocumentGroup(name=spec.name, label=spec.label_text(lang))
        for spec in definition.document_requirements
    }
    for document in case.documents.order_by("name", "-revision"):
        group = groups.setdefault(
            document.name, DocumentGroup(name=document.name, label=document.name)
        )
        group.files.append(document)
    return [group for group in groups.values() if group.files]


@dataclass(frozen=True)
class CheckResult:
    label: str  # what the check verifies, in words (never the CEL rule)
    message: str  # why it failed, as the definition says it
    passed: bool
    rule: str = ""  # the CEL rule, behind a "Rule" disclosure for who wants it


def check_label(check: Mapping[str, Any], language: str | None = None) -> str:
    """What officers read for an automatic check: its plain `label` from the definition
    ({id, en} or text), else its `id`, else the rule itself. The one place that reads it."""
    label = localized(check.get("label"), language or ui_language())
    return label or str(check.get("id") or "") or str(check.get("rule") or "")


@dataclass(frozen=True)
class AutoStep:
    at: Any
    step_name: str
    result: str
    checks: list[CheckResult]


_AUTO_RESULTS = {
    "passed": lambda: _("All checks passed"),
    "returned": lambda: _("Returned to the applicant"),
    "rejected": lambda: _("Rejected"),
}


def automatic_checks(events: list[CaseEvent], definition: ServiceDefinition) -> list[AutoStep]:
    """The results of the automatic steps, each check named by its label in the definition."""
    lang = language()
    results = []
    for event in events:
        if event.kind != "auto_step":
            continue
        written = (
            definition.step(event.step_id).checks if definition.has_step(event.step_id) else ()
        )
        by_rule = {check.rule: check for check in written}
        checks = []
        for ran in event.payload.get("checks") or []:
            rule = str(ran.get("rule"))
            check = by_rule.get(rule) or Check(rule=rule)
            checks.append(
                CheckResult(
                    rule=rule,
                    label=check.label_text(lang),
                    message=localized(check.message, lang),
                    passed=bool(ran.get("passed")),
                )
            )
        result = str(event.payload.get("result") or event.action)
        label = _AUTO_RESULTS.get(result)
        results.append(
            AutoStep(
                at=event.at,
                step_name=definition.step_name(event.step_id, lang),
                result=label() if label else result,
                checks=checks,
            )
        )
    return results


def _event_labels() -> dict[str, str]:
    return {
        "submitted": _("Application submitted"),
        "auto_step": _("Automatic check"),
        "auto_step_failed": _("Automatic check could not run"),
        "task_opened": _("Task opened"),
        "claimed": _("Task claimed"),
        "decided": _("Decision"),
        "awaiting_applicant": _("Sent back to the applicant"),
        "resubmitted": _("Revision received from the applicant"),
        "branches_started": _("Parallel reviews started"),
        "branch_completed": _("One parallel review finished"),
        "branches_joined": _("All parallel reviews finished"),
        "issued": _("Document issued"),
        "issue_failed": _("Issuing the document failed"),
        "closed": _("Application closed"),
        "escalated": _("Overdue: escalated to the superior"),
        "reassigned": _("Task reassigned"),
        "released": _("Claim released"),
        "awaiting_payment": _("Bill issued: waiting for payment"),
        "payment_step_failed": _("The bill could not be computed"),
        "payment_not_required": _("Nothing to pay"),
        "paid": _("Payment received"),
        "payment_expired": _("Bill not paid by its due date"),
    }


def decision_label(decision: str) -> str:
    labels = {
        Decision.APPROVE: _("Approved"),
        Decision.REJECT: _("Rejected"),
        Decision.RETURN: _("Returned for revision"),
    }
    return str(labels.get(decision, decision))  # type: ignore[call-overload]


@dataclass(frozen=True)
class TimelineEntry:
    at: Any
    title: str
    step_name: str
    who: str
    detail: str
    reason: str
    is_public: bool


def timeline(events: list[CaseEvent], definition: ServiceDefinition) -> list[TimelineEntry]:
    """The full history for officers (internal events too), oldest first."""
    lang = language()
    labels = _event_labels()
    entries: list[TimelineEntry] = []
    for event in events:
        who = ""
        if event.officer is not None:
            capacity = capacity_label(event.capacity)
            who = ", ".join(p for p in (event.officer.name, position_title(event.position)) if p)
            if capacity and event.capacity != "definitive":
                who = f"{who} ({capacity})"
        detail = ""
        if event.kind == "decided":
            detail = decision_label(event.action)
        elif event.kind == "closed":
            outcomes = {
                "approved": _("Approved"),
                "rejected": _("Rejected"),
                "cancelled": _("Cancelled by the applicant"),
            }
            detail = outcomes.get(event.action, event.action)
        elif event.kind == "issued":
            detail = str(event.payload.get("document_number") or "")
        elif event.kind == "auto_step":
            result = _AUTO_RESULTS.get(str(event.payload.get("result") or event.action))
            detail = result() if result else event.action
        entries.append(
            TimelineEntry(
                at=event.at,
                title=labels.get(event.kind, event.kind),
                step_name=definition.step_name(event.step_id, lang) if event.step_id else "",
                who=who,
                detail=str(detail),
                reason=_reason_once(event, entries),
                is_public=event.is_public,
            )
        )
    return entries


def _reason_once(event: CaseEvent, earlier: list[TimelineEntry]) -> str:
    """A return's reason is on its decision; the wait for the applicant that follows it
    (internal events between them aside) does not repeat it."""
    if event.kind != "awaiting_applicant":
        return event.reason
    previous = next((entry for entry in reversed(earlier) if entry.is_public), None)
    return "" if previous is not None and previous.reason == event.reason else event.reason


def task_name(task: Task, definition: ServiceDefinition | None = None) -> str:
    """The task's step name in the reader's language (tasks store the Indonesian one)."""
    lang = language()
    if lang == "id":
        return task.name
    definition = definition or compiled(task.case.service_version)
    return definition.step_name(task.step_id, lang) or task.name


# -- what changed since the return --------------------------------------------------------


@dataclass(frozen=True)
class ChangedField:
    label: str
    before: str
    after: str
    was_requested: bool


@dataclass(frozen=True)
class ReplacedDocument:
    label: str
    document: CaseDocument
    previous: CaseDocument | None
    was_requested: bool


@dataclass(frozen=True)
class ChangesView:
    """The diff the officer reads on a resubmitted case: fields old -> new (NIK and phone
    masked), documents replaced, and the requested items left as they were."""

    revision: int
    at: Any
    fields: list[ChangedField]
    documents: list[ReplacedDocument]
    unanswered: list[str]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.documents


def changes(case: Case, definition: ServiceDefinition) -> ChangesView | None:
    found = revision.changes_since_return(case, definition)
    if found is None:
        return None
    lang = language()
    specs = {spec.name: spec for spec in definition.data_fields}
    doc_labels = {spec.name: spec.label_text(lang) for spec in definition.document_requirements}
    requested = found.requested
    return ChangesView(
        revision=found.revision,
        at=found.at,
        fields=[
            ChangedField(
                label=specs[c.name].label_text(lang) if c.name in specs else c.name,
                before=_shown(specs.get(c.name), c.before, lang),
                after=_shown(specs.get(c.name), c.after, lang),
                was_requested=c.name in requested.fields,
            )
            for c in found.fields
        ],
        documents=[
            ReplacedDocument(
                label=doc_labels.get(d.name) or d.name,
                document=d.document,
                previous=d.previous,
                was_requested=d.name in requested.documents,
            )
            for d in found.documents
        ],
        unanswered=revision.requested_labels(
            definition,
            revision.Requested(
                documents=tuple(
                    n.split(".", 1)[1] for n in found.unanswered if n.startswith("documents.")
                ),
                fields=tuple(n.split(".", 1)[1] for n in found.unanswered if n.startswith("data.")),
            ),
            lang,
        ),
    )


def _shown(spec: DataField | None, value: Any, lang: str) -> str:
    """A value as the field type displays it (a field no longer in the definition: as is)."""
    if value is None or value == "":
        return "—"
    return spec.display(value, lang) if spec is not None else str(value)
