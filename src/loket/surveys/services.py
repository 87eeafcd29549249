"""Survey operations: periods, links for closed cases, responses, review, publication.

Each operation is one transaction. Ratings are checked by ``ikm.check_rating``:
a bad one raises ``RatingError`` naming the element, never clamped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core.errors import LoketError
from loket.core.locale import link_in
from loket.ledger.services import append as ledger_append
from loket.org.models import Unit
from loket.surveys import ikm, selectors
from loket.surveys.models import (
    AgeBand,
    Channel,
    Education,
    Gender,
    Invitation,
    Occupation,
    Response,
    Result,
    SuggestionStatus,
    SurveyPeriod,
    Tally,
)

MAX_SUGGESTION_CHARS = 2000
PROFILE_CHOICES: dict[str, set[str]] = {
    "gender": set(Gender.values),
    "age_band": set(AgeBand.values),
    "education": set(Education.values),
    "occupation": set(Occupation.values),
}


class SurveyError(LoketError):
    """A survey request that cannot be honoured; ``field`` names what was wrong."""

    TITLES = {404: "Not found", 409: "Conflict", 410: "Gone", 422: "Invalid input"}

    def __init__(self, message: str, *, code: str, field: str = "", status: int = 400) -> None:
        super().__init__(message, field=field or None, code=code)
        self.status = status
        self.title = self.TITLES.get(status, "Bad request")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def define_period(
    *,
    unit: Unit,
    code: str,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    service_id: int | None = None,
    population: int | None = None,
    weight_mode: str = ikm.WeightMode.EXACT,
) -> SurveyPeriod:
    """Create a survey period for a unit or one of its services."""
    if ends_on < starts_on:
        raise SurveyError(_("The last day is before the first."), code="invalid", field="ends_on")
    if SurveyPeriod.objects.filter(unit=unit, code=code).exists():
        raise SurveyError(
            _("The unit already has a survey period with this code."),
            code="survey_period_duplicate",
            field="code",
            status=409,
        )
    mode = ikm.WeightMode(weight_mode)
    period = SurveyPeriod.objects.create(
        agency_id=unit.agency_id,
        unit=unit,
        service_id=service_id,
        code=code,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        population=population,
        weight_mode=mode,
    )
    Tally.objects.create(period=period)
    return period


def _count(period: SurveyPeriod, responses: list[Response]) -> None:
    """Add stored responses to the period's running tally, in the caller's transaction."""
    changes: dict[str, Any] = {"respondents": F("respondents") + len(responses)}
    for code in ikm.ELEMENTS:
        column = code.lower()
        values = [v for v in (getattr(r, column) for r in responses) if v is not None]
        changes[f"{column}_sum"] = F(f"{column}_sum") + sum(values)
        changes[f"{column}_n"] = F(f"{column}_n") + len(values)
    if not Tally.objects.filter(period=period).update(**changes):
        rebuild_tally(period=period)


@transaction.atomic
def rebuild_tally(*, period: SurveyPeriod) -> Tally:
    """Recount the period's tally from its stored responses (after bulk loads or repair)."""
    counts = selectors.tally_from_rows(period)
    values: dict[str, int] = {"respondents": counts.respondents}
    for code, (total, answered) in counts.totals.items():
        values[f"{code.lower()}_sum"] = total
        values[f"{code.lower()}_n"] = answered
    tally, _created = Tally.objects.update_or_create(period=period, defaults=values)
    return tally


def invite_for_closed_case(*, case: Any, now: dt.datetime) -> str | None:
    """The survey link for a case that just closed, or None when none is due.

    Called inside the engine's closing transaction. Due for an approved or
    rejected case, and for a cancelled one only if an officer had acted on it;
    one link per case; it expires when its period ends.
    """
    from loket.cases.models import CaseEvent, CaseStatus

    if case.status == CaseStatus.CANCELLED:
        if not CaseEvent.objects.filter(case=case, officer__isnull=False).exists():
            return None
    elif case.status not in (CaseStatus.APPROVED, CaseStatus.REJECTED):
        return None
    period = selectors.period_open_for(
        service_id=case.service_id,
        unit_id=case.service.unit_id,
        day=timezone.localdate(now),
    )
    if period is None or Invitation.objects.filter(case=case).exists():
        return None
    token = secrets.token_urlsafe(24)
    Invitation.objects.create(
        period=period,
        case=case,
        token_hash=_hash_token(token),
        created_at=now,
        expires_at=selectors.period_bounds(period)[1],
    )
    return link_in(settings.PUBLIC_BASE_URL + reverse("portal:survey", args=[token]), case.language)


def invitation_for(token: str, *, now: dt.datetime) -> Invitation:
    """The usable invitation behind a link; SurveyError (404/410) otherwise."""
    invitation = (
        Invitation.objects.select_related("period__unit", "period__service")
        .filter(token_hash=_hash_token(token))
        .first()
    )
    if invitation is None:
        raise SurveyError(_("This survey link is not valid."), code="not_found", status=404)
    _require_usable(invitation, now)
    return invitation


def _require_usable(invitation: Invitation, now: dt.datetime) -> None:
    if invitation.used_at is not None:
        raise SurveyError(
            _("This survey was already answered. Thank you."), code="already_answered", status=409
        )
    if now >= invitation.expires_at or invitation.period.closed_at is not None:
        raise SurveyError(_("This survey has closed."), code="expired", status=410)


def clean_answers(raw: Mapping[str, object]) -> dict[str, int | None]:
    """U1..U9 as integers 1-4 or None; RatingError names the first bad element."""
    return {code: ikm.check_rating(code, raw.get(code)) for code in ikm.ELEMENTS}


def clean_profile(raw: Mapping[str, object]) -> dict[str, str]:
    profile: dict[str, str] = {}
    for field, allowed in PROFILE_CHOICES.items():
        value = str(raw.get(field) or "").strip()
        if value and value not in allowed:
            raise SurveyError(
                _("%(field)s: %(value)s is not one of the choices.")
                % {"field": field, "value": value[:40]},
                code="invalid",
                field=field,
                status=422,
            )
        profile[field] = value
    return profile


def _build_response(
    *,
    period: SurveyPeriod,
    channel: str,
    answers: Mapping[str, object],
    profile: Mapping[str, object],
    suggestion: str,
    now: dt.datetime,
) -> Response:
    ratings = clean_answers(answers)
    if all(value is None for value in ratings.values()):
        raise SurveyError(_("Answer at least one question."), code="empty", field="U1", status=422)
    text = (suggestion or "").strip()
    if len(text) > MAX_SUGGESTION_CHARS:
        raise SurveyError(
            _("The suggestion is too long."), code="invalid", field="suggestion", status=422
        )
    return Response(
        period=period,
        channel=channel,
        submitted_at=now,
        suggestion=text,
        suggestion_status=SuggestionStatus.PENDING if text else SuggestionStatus.NONE,
        **{code.lower(): value for code, value in ratings.items()},
        **clean_profile(profile),
    )


@transaction.atomic
def respond_by_link(
    *,
    token: str,
    answers: Mapping[str, object],
    profile: Mapping[str, object] | None = None,
    suggestion: str = "",
    now: dt.datetime | None = None,
) -> Response:
    """Store the answer to a case's link; the link is spent, a second answer refused."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("period")
        .filter(token_hash=_hash_token(token))
        .first()
    )
    if invitation is None:
        raise SurveyError(_("This survey link is not valid."), code="not_found", status=404)
    _require_usable(invitation, now)
    response = _build_response(
        period=invitation.period,
        channel=Channel.ONLINE,
        answers=answers,
        profile=profile or {},
        suggestion=suggestion,
        now=now,
    )
    response.save()
    _count(invitation.period, [response])
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    return response


@transaction.atomic
def respond_at_kiosk(
    *,
    period: SurveyPeriod,
    answers: Mapping[str, object],
    profile: Mapping[str, object] | None = None,
    suggestion: str = "",
    now: dt.datetime | None = None,
) -> Response:
    """Store a walk-in respondent's answers, marked as collected at the counter."""
    now = now or timezone.now()
    start, end = selectors.period_bounds(period)
    if period.closed_at is not None or not start <= now < end:
        raise SurveyError(_("This survey period is not open."), code="closed", status=409)
    response = _build_response(
        period=period,
        channel=Channel.KIOSK,
        answers=answers,
        profile=profile or {},
        suggestion=suggestion,
        now=now,
    )
    response.save()
    _count(period, [response])
    return response


@transaction.atomic
def import_responses(
    *, period: SurveyPeriod, rows: Iterable[Mapping[str, object]], now: dt.datetime | None = None
) -> int:
    """Store already-checked paper or spreadsheet rows in one go; returns how many."""
    now = now or timezone.now()
    if period.closed_at is not None:
        raise SurveyError(_("This survey period is closed."), code="closed", status=409)
    batch = [
        _build_response(
            period=period,
            channel=Channel.PAPER,
            answers=row,
            profile=row,
            suggestion=str(row.get("suggestion") or ""),
            now=now,
        )
        for row in rows
    ]
    Response.objects.bulk_create(batch, batch_size=1000)
    _count(period, batch)
    return len(batch)


@transaction.atomic
def close_period(*, period: SurveyPeriod, now: dt.datetime | None = None) -> int:
    """Close the period and drop every link between its invitations and cases."""
    now = now or timezone.now()
    locked = SurveyPeriod.objects.select_for_update().get(pk=period.pk)
    if locked.closed_at is None:
        locked.closed_at = now
        locked.save(update_fields=["closed_at"])
    period.closed_at = locked.closed_at
    return Invitation.objects.filter(period=locked, case__isnull=False).update(case=None)


def close_ended_periods(*, now: dt.datetime | None = None) -> int:
    """Close every period whose last day has passed (run daily by the worker or cron)."""
    now = now or timezone.now()
    ended = SurveyPeriod.objects.filter(closed_at__isnull=True, ends_on__lt=timezone.localdate(now))
    for period in ended:
        close_period(period=period, now=now)
    return len(ended)


@transaction.atomic
def review_suggestion(*, response_id: int, period: SurveyPeriod, publish: bool) -> Response:
    """Show a suggestion publicly or keep it internal; only the period's own responses."""
    response = Response.objects.select_for_update().get(pk=response_id, period=period)
    if not response.suggestion:
        raise SurveyError(_("This response has no suggestion."), code="invalid", status=400)
    response.suggestion_status = SuggestionStatus.PUBLISHED if publish else SuggestionStatus.HIDDEN
    response.save(update_fields=["suggestion_status"])
    return response


@transaction.atomic
def publish_result(
    *, period: SurveyPeriod, user: User | None = None, now: dt.datetime | None = None
) -> Result:
    """Publish the period's IKM: store the figures with their inputs' hash, then ledger them."""
    now = now or timezone.now()
    SurveyPeriod.objects.select_for_update().get(pk=period.pk)
    # The published figure comes from the stored rows, not the running tally.
    computed = selectors.report(period, from_rows=True)
    if selectors.tally(period) != selectors.tally_from_rows(period):
        rebuild_tally(period=period)
    if computed.result.ikm is None or computed.result.grade is None:
        raise SurveyError(
            _("Every element needs at least one answer before the index can be published."),
            code="incomplete",
            status=409,
        )
    elements = {
        e.code: {"n": e.respondents, "total": e.total, "converted": str(e.converted)}
        for e in computed.result.elements
    }
    digest = selectors.inputs_hash(period)
    payload = {
        "unit": period.unit.code,
        "service": period.service.code if period.service_id and period.service else "",
        "period": period.code,
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
        "respondents": computed.result.respondents,
        "population": computed.population,
        "sample_required": computed.sample_required,
        "weight_mode": str(computed.result.weight_mode),
        "ikm": str(computed.result.ikm),
        "grade": computed.result.grade.grade,
        "inputs_sha256": digest,
    }
    entry = ledger_append(kind="survey.result", payload=payload)
    return Result.objects.create(
        period=period,
        respondents=computed.result.respondents,
        population=computed.population,
        sample_required=computed.sample_required,
        ikm=computed.result.ikm,
        grade=computed.result.grade.grade,
        elements=elements,
        weight_mode=computed.result.weight_mode,
        inputs_hash=digest,
        published_at=now,
        published_by=user,
        ledger_index=entry.index,
    )
