"""Read-only survey queries: the tally of a period in one statement, reports, trends."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from loket.org.models import Officer, Unit
from loket.org.selectors import holdings_of, units_within
from loket.surveys import ikm
from loket.surveys.models import Response, Result, SuggestionStatus, SurveyPeriod, Tally


def rules() -> ikm.Rules:
    configured = getattr(settings, "LOKET_SURVEY_RULES_FILE", "")
    return ikm.load_rules(Path(configured) if configured else ikm.DEFAULT_RULES_FILE)


def period_bounds(period: SurveyPeriod) -> tuple[dt.datetime, dt.datetime]:
    """The period as [start, end) moments in the installation's time zone."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(period.starts_on, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(period.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def tally_from_rows(period: SurveyPeriod) -> ikm.Tally:
    """Sum and count of every element over the period's stored responses: one aggregate."""
    aggregates = {"respondents": Count("pk")}
    for code in ikm.ELEMENTS:
        column = code.lower()
        aggregates[f"{column}_sum"] = Sum(column)  # type: ignore[assignment]
        aggregates[f"{column}_n"] = Count(column)
    row = Response.objects.filter(period=period).aggregate(**aggregates)
    return ikm.Tally(
        respondents=row["respondents"],
        totals={
            code: (row[f"{code.lower()}_sum"] or 0, row[f"{code.lower()}_n"])
            for code in ikm.ELEMENTS
        },
    )


def tally(period: SurveyPeriod) -> ikm.Tally:
    """The period's running tally (read model): one primary-key read."""
    row = Tally.objects.filter(period_id=period.pk).first()
    if row is None:
        return ikm.Tally(0, dict.fromkeys(ikm.ELEMENTS, (0, 0)))
    return tally_of(row)


def tally_of(row: Tally) -> ikm.Tally:
    return ikm.Tally(
        row.respondents,
        {
            code: (getattr(row, f"{code.lower()}_sum"), getattr(row, f"{code.lower()}_n"))
            for code in ikm.ELEMENTS
        },
    )


def population(period: SurveyPeriod) -> int:
    """N: the agency's figure when set, otherwise the cases closed within the period."""
    if period.population is not None:
        return period.population
    from loket.cases.models import CLOSED_STATUSES, Case

    start, end = period_bounds(period)
    cases = Case.objects.filter(status__in=CLOSED_STATUSES, closed_at__gte=start, closed_at__lt=end)
    if period.service_id is not None:
        cases = cases.filter(service_id=period.service_id)
    else:
        cases = cases.filter(service__unit_id=period.unit_id)
    return cases.count()


@dataclass(frozen=True)
class Report:
    period: SurveyPeriod
    result: ikm.IkmResult
    population: int
    sample_required: int

    @property
    def meets_sample(self) -> bool:
        return self.result.respondents >= self.sample_required


def report(period: SurveyPeriod, *, from_rows: bool = False) -> Report:
    """The period's IKM from its running tally (two queries), or recomputed from every
    stored response (`from_rows`, as publishing does)."""
    counts = tally_from_rows(period) if from_rows else tally(period)
    computed = ikm.compute_tally(counts, weight_mode=period.weight_mode, rules=rules())
    size = population(period)
    return Report(period, computed, size, ikm.sample_size(size, rules()))


def inputs_hash(period: SurveyPeriod) -> str:
    """SHA-256 over the period's ratings in id order: re-derivable, no personal data."""
    digest = hashlib.sha256(f"{period.pk}|{period.weight_mode}\n".encode())
    columns = [code.lower() for code in ikm.ELEMENTS]
    for values in (
        Response.objects.filter(period=period).order_by("pk").values_list("pk", *columns)
    ).iterator(chunk_size=5000):
        digest.update(",".join("" if v is None else str(v) for v in values).encode() + b"\n")
    return digest.hexdigest()


def periods_of_unit(unit: Unit) -> QuerySet[SurveyPeriod]:
    return SurveyPeriod.objects.filter(unit=unit).select_related("unit", "service", "agency")


def period_open_for(*, service_id: int, unit_id: int, day: dt.date) -> SurveyPeriod | None:
    """The open period covering `day`: the service's own first, else its unit's."""
    periods = SurveyPeriod.objects.filter(
        Q(service_id=service_id) | Q(service__isnull=True, unit_id=unit_id),
        starts_on__lte=day,
        ends_on__gte=day,
        closed_at__isnull=True,
    ).order_by("starts_on")
    # NULL service sorts first on some databases and last on others: pick in Python.
    found = list(periods)
    own = [p for p in found if p.service_id is not None]
    chosen = own or found
    return chosen[0] if chosen else None


def units_led_by(officer: Officer, *, at: dt.datetime) -> frozenset[int]:
    """The units whose survey reports `officer` may see: those they head, and below."""
    heads = {h.position.unit_id for h in holdings_of(officer, at) if h.position.is_head}
    return units_within(officer.agency_id, heads) if heads else frozenset()


def units_served_by(officer: Officer, *, at: dt.datetime) -> frozenset[int]:
    """Where `officer` may run a kiosk: the units they serve in, those below and those above
    (a division's front office receives the office's walk-in visitors)."""
    units = {h.position.unit_id for h in holdings_of(officer, at)}
    if not units:
        return frozenset()
    parents = dict(Unit.objects.filter(agency_id=officer.agency_id).values_list("pk", "parent_id"))
    above: set[int] = set()
    for unit_id in units:
        parent = parents.get(unit_id)
        while parent is not None and parent not in above:
            above.add(parent)
            parent = parents.get(parent)
    return units_within(officer.agency_id, units) | above


def published_results(*, unit: Unit, service_id: int | None) -> list[Result]:
    """The latest published result of each period of the unit (or service), oldest first."""
    scope = Q(period__service_id=service_id) if service_id else Q(period__service__isnull=True)
    results = (
        Result.objects.filter(scope, period__unit=unit)
        .select_related("period")
        .order_by("period__starts_on", "-published_at")
    )
    latest: dict[int, Result] = {}
    for result in results:
        latest.setdefault(result.period_id, result)
    return list(latest.values())


def trend(periods: list[SurveyPeriod]) -> list[Report]:
    return [report(p) for p in sorted(periods, key=lambda p: p.starts_on)]


def suggestions(period: SurveyPeriod, *, status: str | None = None) -> QuerySet[Response]:
    found = Response.objects.filter(period=period).exclude(suggestion="")
    if status is not None:
        found = found.filter(suggestion_status=status)
    return found.order_by("-submitted_at")


def published_suggestions(period: SurveyPeriod) -> QuerySet[Response]:
    return suggestions(period, status=SuggestionStatus.PUBLISHED)
