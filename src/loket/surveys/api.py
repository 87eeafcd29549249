"""Survey results in the REST API: published figures for anyone, the live report for the
unit head, and answering a survey link. Errors are problem+json like the other routers."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from loket.api.auth import officer_auth
from loket.api.responses import problems
from loket.core.errors import NotFound, ValidationError
from loket.org.models import Officer, Unit
from loket.surveys import ikm, selectors, services
from loket.surveys.models import Result, SurveyPeriod

router = Router(tags=["surveys"])
MAX_ID = 2**63 - 1


class ElementOut(Schema):
    code: str
    respondents: int
    nrr: str | None = Field(description="exact average as a fraction, e.g. 10/3")
    converted: str | None = Field(description="NRR x 25, rounded half-up to 2 decimals")
    grade: str | None


class ResultOut(Schema):
    agency: str
    unit: str
    service: str | None
    period: str
    starts_on: str
    ends_on: str
    respondents: int
    population: int
    sample_required: int
    meets_sample: bool
    weight_mode: str
    ikm: str | None
    grade: str | None
    elements: list[ElementOut]
    inputs_sha256: str | None = None
    ledger_index: int | None = None


def _scope(period: SurveyPeriod) -> dict[str, Any]:
    return {
        "agency": period.unit.agency.code,
        "unit": period.unit.code,
        "service": period.service.code if period.service else None,
        "period": period.code,
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
    }


def published_out(result: Result) -> ResultOut:
    # A published result has every element answered (publish_result refuses otherwise).
    elements = [
        ElementOut(
            code=code,
            respondents=figures["n"],
            nrr=str(Fraction(figures["total"], figures["n"])),
            converted=figures["converted"],
            grade=ikm.grade_of(Decimal(figures["converted"]), selectors.rules()).grade,
        )
        for code, figures in sorted(result.elements.items())
    ]
    return ResultOut(
        **_scope(result.period),
        respondents=result.respondents,
        population=result.population,
        sample_required=result.sample_required,
        meets_sample=result.meets_sample,
        weight_mode=result.weight_mode,
        ikm=str(result.ikm),
        grade=result.grade,
        elements=elements,
        inputs_sha256=result.inputs_hash,
        ledger_index=result.ledger_index,
    )


@router.get(
    "/results",
    response=list[ResultOut],
    summary="Published IKM results of a unit (or one of its services), oldest period first",
    openapi_extra=problems(404, 422),
)
def published(
    request: HttpRequest,
    agency: str = Query(..., max_length=64),
    unit: str = Query(..., max_length=64),
    service: str | None = Query(None, max_length=80),
) -> list[ResultOut]:
    found = Unit.objects.filter(agency__code=agency, code=unit).first()
    if found is None:
        raise NotFound(_("There is no such unit."), field="unit")
    service_id = None
    if service:
        service_obj = found.services.filter(code=service).first()
        if service_obj is None:
            raise NotFound(_("There is no such service in this unit."), field="service")
        service_id = service_obj.pk
    return [
        published_out(r) for r in selectors.published_results(unit=found, service_id=service_id)
    ]


@router.get(
    "/periods/{period_id}/report",
    response=ResultOut,
    auth=officer_auth,
    summary="The live IKM of a period, recomputed from its responses (head of the unit)",
    openapi_extra=problems(401, 404, 422),
)
def live_report(request: HttpRequest, period_id: int = Path(..., ge=1, le=MAX_ID)) -> ResultOut:
    officer: Officer = request.auth  # type: ignore[attr-defined]
    units = selectors.units_led_by(officer, at=timezone.now())
    period = (
        SurveyPeriod.objects.select_related("unit__agency", "service")
        .filter(pk=period_id, unit_id__in=units)
        .first()
    )
    if period is None:
        raise NotFound(_("There is no such survey period among your units."), field="period_id")
    report = selectors.report(period)
    result = report.result
    return ResultOut(
        **_scope(period),
        respondents=result.respondents,
        population=report.population,
        sample_required=report.sample_required,
        meets_sample=report.meets_sample,
        weight_mode=str(result.weight_mode),
        ikm=str(result.ikm) if result.ikm is not None else None,
        grade=result.grade.grade if result.grade else None,
        elements=[
            ElementOut(
                code=e.code,
                respondents=e.respondents,
                nrr=str(e.nrr) if e.nrr is not None else None,
                converted=str(e.converted) if e.converted is not None else None,
                grade=e.grade.grade if e.grade else None,
            )
            for e in result.elements
        ],
    )


class AnswerIn(Schema):
    answers: dict[str, Any] = Field(
        description="U1..U9: an integer 1-4, or null for a question left blank"
    )
    gender: str = Field("", max_length=8)
    age_band: str = Field("", max_length=8)
    education: str = Field("", max_length=8)
    occupation: str = Field("", max_length=12)
    suggestion: str = Field("", max_length=services.MAX_SUGGESTION_CHARS)


class AnswerOut(Schema):
    recorded: bool


def _strict_answers(raw: dict[str, Any]) -> dict[str, int | None]:
    """JSON ratings must be integers 1-4 or null: 3.0 or "3" are refused, never coerced."""
    unknown = sorted(set(raw) - set(ikm.ELEMENTS))
    if unknown:
        raise ValidationError(
            _("%(key)s is not a survey element (U1..U9).") % {"key": unknown[0][:20]},
            field=f"answers.{unknown[0][:20]}",
        )
    for code in ikm.ELEMENTS:
        value = raw.get(code)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationError(
                _("%(code)s: must be an integer from 1 to 4.") % {"code": code},
                field=f"answers.{code}",
            )
    try:
        return services.clean_answers(raw)
    except ikm.RatingError as error:
        raise ValidationError(str(error), field=f"answers.{error.element}") from error


@router.post(
    "/responses/{token}",
    response={201: AnswerOut},
    summary="Answer the survey behind a closed case's link (once)",
    openapi_extra=problems(400, 404, 409, 410, 422),
)
def answer(request: HttpRequest, body: AnswerIn, token: str = Path(..., max_length=64)) -> Status:
    answers = _strict_answers(body.answers)
    services.respond_by_link(
        token=token,
        answers=answers,
        profile=body.dict(include={"gender", "age_band", "education", "occupation"}),
        suggestion=body.suggestion,
    )
    return Status(201, AnswerOut(recorded=True))
