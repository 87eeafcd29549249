"""Public API of the service catalogue: published services and their service standards."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from loket.catalog import cache, selectors
from loket.catalog.definitions import compiled
from loket.catalog.models import Service, ServiceVersion
from loket.core.errors import NotFound

router = Router(tags=["services"])


class I18nText(Schema):
    id: str
    en: str


class AgencyRef(Schema):
    code: str
    name: str


class UnitRef(Schema):
    code: str
    name: I18nText


class Deadline(Schema):
    """Exactly one of the two is set."""

    working_days: int | None
    working_hours: int | None


class FeeSummary(Schema):
    """A fixed amount in rupiah, or computed from the application (`amount` is then null)."""

    is_computed: bool
    amount: int | None
    note: I18nText | None


class ServiceSummary(Schema):
    code: str
    name: I18nText
    agency: AgencyRef
    unit: UnitRef
    version: int
    deadline: Deadline
    fee: FeeSummary


class Choice(Schema):
    value: str
    label: I18nText


class DataField(Schema):
    name: str
    type: str = Field(description="a registered field type: text, integer, money, ...")
    label: I18nText
    help: I18nText | None
    required: bool
    min: int | float | None
    max: int | float | None
    max_length: int | None
    choices: list[Choice]
    group: str | None = Field(None, description="the data group (page of the form) it is asked in")


class DocumentRule(Schema):
    name: str
    label: I18nText
    help: I18nText | None
    types: list[Literal["pdf", "jpeg", "png"]]
    max_size_mb: int | float
    required: bool


class DataGroup(Schema):
    """A topic of the application's data: one page of the step-by-step form."""

    name: str
    title: I18nText
    hint: I18nText | None = None


class Requirements(Schema):
    groups: list[DataGroup] = []
    data: list[DataField]
    documents: list[DocumentRule]


class PositionRef(Schema):
    """The position (jabatan) that acts at a step; never a person."""

    code: str
    title: I18nText


class ProcedureStep(Schema):
    order: int
    id: str
    # A registered step kind (loket.catalog.stepkinds): auto, task, applicant, payment,
    # issue, end, parallel, join, or one an installation adds.
    kind: str = Field(description="auto, task, applicant, payment, issue, end, parallel, join")
    name: I18nText
    position: PositionRef | None
    deadline: Deadline | None
    outcome: Literal["approved", "rejected", "cancelled"] | None
    payment_kind: Literal["retribusi", "pajak"] | None = None


class Fee(FeeSummary):
    expression: str | None


class Product(Schema):
    document_type: I18nText
    number_pattern: str
    validity: I18nText | None


class StandardComponents(Schema):
    """Components of the service standard (PermenPANRB 15/2014) not given elsewhere."""

    complaint_channel: I18nText
    facilities: I18nText
    officer_competence: I18nText
    internal_supervision: I18nText
    number_of_officers: I18nText
    service_guarantee: I18nText
    security_guarantee: I18nText
    performance_evaluation: I18nText


class ServiceStandard(Schema):
    code: str
    name: I18nText
    description: I18nText
    agency: AgencyRef
    unit: UnitRef
    version: int
    published_at: dt.datetime
    legal_basis: list[str]
    requirements: Requirements
    procedure: list[ProcedureStep]
    time: Deadline
    fee: Fee
    product: Product
    standard: StandardComponents


def _refs(service: Service) -> dict[str, Any]:
    unit = service.unit
    return {
        "agency": {"code": service.agency.code, "name": service.agency.name},
        "unit": {"code": unit.code, "name": {"id": unit.name, "en": unit.name_en or unit.name}},
    }


def _fee(definition: dict[str, Any]) -> dict[str, Any]:
    fee = definition["fee"]
    return {
        "is_computed": fee["amount"] is None,
        "amount": fee["amount"],
        "note": fee["note"],
        "expression": fee["expression"],
    }


@router.get("", response=list[ServiceSummary], summary="Published services")
def list_services(request: HttpRequest) -> list[dict[str, Any]]:
    # Built once per catalogue revision and process; one query per request otherwise.
    return cache.cached("api.list_services", _summaries)


def _summaries() -> list[dict[str, Any]]:
    summaries = []
    for service, version in selectors.published_catalogue():
        definition = version.definition
        summaries.append(
            {
                "code": service.code,
                "name": definition["name"],
                **_refs(service),
                "version": version.number,
                "deadline": definition["deadline"],
                "fee": _fee(definition),
            }
        )
    return summaries


@router.get(
    "/{code}",
    response={200: ServiceStandard},
    summary="The service standard of a published service",
    openapi_extra={"responses": {404: {"description": "No published service with this code"}}},
)
def service_standard(request: HttpRequest, code: str) -> dict[str, Any]:
    service = selectors.service_by_code(code)
    version = selectors.current_version(service) if service and service.is_active else None
    if service is None or version is None:
        raise NotFound(_("no published service %(code)s") % {"code": code}, field="code")
    return _standard(service, version)


def _standard(service: Service, version: ServiceVersion) -> dict[str, Any]:
    definition = version.definition
    steps = definition["steps"]
    by_position = {s["id"] for s in compiled(version).steps if s.step_kind.acts_by_position}
    titles = selectors.position_titles(
        service.agency, {s["position"] for s in steps if s["id"] in by_position}
    )
    procedure = [
        {
            "order": order,
            "id": step["id"],
            "kind": step["kind"],
            "name": step["name"],
            "position": {
                "code": step["position"],
                "title": titles.get(
                    step["position"], {"id": step["position"], "en": step["position"]}
                ),
            }
            if step["id"] in by_position
            else None,
            "deadline": step.get("deadline"),
            "outcome": step.get("outcome"),
            "payment_kind": step.get("payment_kind"),
        }
        for order, step in enumerate(steps, start=1)
    ]
    return {
        "code": service.code,
        "name": definition["name"],
        "description": definition["description"],
        **_refs(service),
        "version": version.number,
        "published_at": version.published_at,
        "legal_basis": definition["legal_basis"],
        "requirements": definition["requirements"],
        "procedure": procedure,
        "time": definition["deadline"],
        "fee": _fee(definition),
        "product": definition["product"],
        "standard": definition["standard"],
    }
