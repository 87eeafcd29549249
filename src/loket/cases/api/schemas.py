"""The shapes of the case API: what comes in and goes out (django-ninja schemas)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Path, Schema
from pydantic import Field

from loket.documents.resources import IssuedDocumentOut
from loket.payments.api import BillOut

MAX_ID = 2**63 - 1
TRACKING = Path(..., min_length=3, max_length=32, description="e.g. IUM-2026-000123")


# -- schemas ------------------------------------------------------------------------


class StepOut(Schema):
    id: str
    name: str


class EventOut(Schema):
    at: dt.datetime
    kind: str
    step: str
    step_name: str
    action: str
    reason: str
    position: str | None
    capacity: str
    officer: str | None = None


class RequestOut(Schema):
    step: str
    step_name: str
    reason: str
    requested_at: dt.datetime
    respond_by: str | None
    requested_documents: list[str] = Field(
        default_factory=list,
        description="Documents the officer marked not conforming: replace at least one of "
        "the requested items, or the resubmission is refused (nothing_changed)",
    )
    requested_fields: list[str] = Field(
        default_factory=list, description="Data fields the officer asked to correct"
    )


class DocumentOut(Schema):
    name: str
    revision: int
    kind: str
    size: int
    uploaded_at: dt.datetime


class ApplicantOut(Schema):
    name: str
    nik: str
    email: str
    phone: str


class ApplicationOut(Schema):
    tracking_number: str
    service_code: str
    service_name: str
    service_version: int
    status: str
    status_label: str
    outcome: str
    outcome_reason: str
    submitted_at: dt.datetime
    complete_at: dt.datetime | None = Field(
        description="When the application was declared complete; the service deadline "
        "(due_at) runs from here (UU 30/2014 Pasal 53). Null until then."
    )
    due_at: dt.datetime | None
    is_overdue: bool
    clock_paused: bool
    current_steps: list[StepOut]
    open_request: RequestOut | None
    timeline: list[EventOut]
    documents: list[DocumentOut]
    applicant: ApplicantOut
    data: dict[str, Any]
    fee: int | None = Field(
        None, description="Fee in whole rupiah for the current data (0: free; null: not computable)"
    )
    bill: BillOut | None = Field(
        None, description="The bill of a payment step: waiting, or the latest one (null: none)"
    )
    issued_documents: list[IssuedDocumentOut] = Field(
        default_factory=list,
        description="The documents issued at the end of the case (the licence), newest first",
    )
    licence_pending: bool = Field(
        False,
        description="Approved, and the licence is being issued (signed by the worker); "
        "it appears in issued_documents within seconds, or later if the signer is down",
    )


class ReceiptOut(ApplicationOut):
    access_code: str = Field(description="Keep it: with the tracking number it opens the case")


class TaskOut(Schema):
    id: int
    tracking_number: str
    service_code: str
    step: str
    name: str
    position_code: str
    position_title: str
    status: str
    created_at: dt.datetime
    due_at: dt.datetime | None
    is_overdue: bool
    escalated: bool
    claimed_by: str | None
    decision: str
    applicant_name: str
    applicant_nik: str


class ArchiveOut(Schema):
    classification_code: str = Field(description="Permendagri 83/2022 archive code")
    access_class: str = Field(description="SKKAAD class: biasa, terbatas, rahasia, ...")


class CaseOut(ApplicationOut):
    tasks: list[TaskOut]
    archive: ArchiveOut


class ChecklistEntryIn(Schema):
    verdict: Literal["sesuai", "tidak_sesuai"]
    note: str = Field(default="", max_length=500)


class DecisionIn(Schema):
    decision: Literal["approve", "reject", "return"]
    reason: str = Field(default="", max_length=2000)
    checklist: dict[str, ChecklistEntryIn] = Field(
        default_factory=dict,
        description="Per required document (by name): sesuai or tidak_sesuai with a note; "
        "recorded with the decision. A return asks for the tidak_sesuai documents.",
    )
    requested_fields: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="With a return: the data fields the applicant must correct",
    )


class CancelIn(Schema):
    reason: str = Field(default="", max_length=2000)


class DecisionOut(Schema):
    task: TaskOut
    case: CaseOut
