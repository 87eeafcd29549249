"""A year of survey history for the demo agency, so the report, trend and public page
are not empty on first start: four closed quarters (published) and the current one open.

Deterministic (fixed seed) and idempotent: a unit that already has periods is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from loket.org.models import Unit
from loket.surveys import ikm, services
from loket.surveys.models import Channel, Response, SuggestionStatus, SurveyPeriod

SEED = 14_2017
SUGGESTIONS = [
    ("Ruang tunggu perlu ditambah kursi.", SuggestionStatus.PUBLISHED),
    ("Informasi persyaratan di situs sudah jelas, terima kasih.", SuggestionStatus.PUBLISHED),
    ("Mohon notifikasi SMS dikirim lebih awal.", SuggestionStatus.PUBLISHED),
    ("Antrean siang hari masih lama.", SuggestionStatus.PENDING),
    ("Parkir kendaraan roda dua sempit.", SuggestionStatus.PENDING),
]


@dataclass(frozen=True)
class DemoQuarter:
    starts_on: dt.date
    ends_on: dt.date
    population: int
    respondents: int
    mean: float  # how satisfied this quarter's respondents lean, on the 1-4 scale


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarters(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The four quarters before the current one, then the current one."""
    starts = [_quarter_start(today)]
    for _ in range(4):
        previous = starts[0] - dt.timedelta(days=1)
        starts.insert(0, _quarter_start(previous))
    current = starts[-1]
    next_start = (
        dt.date(current.year + 1, 1, 1)
        if current.month == 10
        else dt.date(current.year, current.month + 3, 1)
    )
    ends = [s - dt.timedelta(days=1) for s in [*starts[1:], next_start]]
    return list(zip(starts, ends, strict=True))


def _rating(rng: random.Random, mean: float, bias: float) -> int | None:
    if rng.random() < 0.02:
        return None  # a few questions left blank, as on paper
    value = round(rng.gauss(mean + bias, 0.6))
    return min(max(value, ikm.LOWEST_RATING), ikm.HIGHEST_RATING)


# Some elements fare worse than others, so the report has real priorities.
ELEMENT_BIAS = {"U1": 0.1, "U2": 0.0, "U3": -0.35, "U4": 0.4, "U5": 0.1,
                "U6": 0.15, "U7": 0.25, "U8": -0.3, "U9": -0.2}  # fmt: skip


def _responses(
    rng: random.Random, period: SurveyPeriod, quarter: DemoQuarter, now: dt.datetime
) -> list[Response]:
    days = (min(quarter.ends_on, timezone.localdate(now)) - quarter.starts_on).days + 1
    zone = timezone.get_default_timezone()
    rows = []
    for index in range(quarter.respondents):
        day = quarter.starts_on + dt.timedelta(days=rng.randrange(days))
        at = dt.datetime.combine(day, dt.time(8 + rng.randrange(8), rng.randrange(60)), zone)
        text, status = ("", SuggestionStatus.NONE)
        if index < len(SUGGESTIONS) and rng.random() < 0.8:
            text, status = SUGGESTIONS[index]
        rows.append(
            Response(
                period=period,
                submitted_at=min(at, now),
                channel=rng.choice([Channel.ONLINE, Channel.ONLINE, Channel.KIOSK, Channel.PAPER]),
                suggestion=text,
                suggestion_status=status,
                gender=rng.choice(["f", "m", ""]),
                age_band=rng.choice(["20-29", "30-39", "40-49", "50-59", ""]),
                **{c.lower(): _rating(rng, quarter.mean, ELEMENT_BIAS[c]) for c in ikm.ELEMENTS},
            )
        )
    return rows


@transaction.atomic
def load_survey_history(*, unit_code: str = "dpmptsp", now: dt.datetime | None = None) -> int:
    """Create the demo unit's survey year; returns how many responses were added."""
    now = now or timezone.now()
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None or SurveyPeriod.objects.filter(unit=unit).exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    quarters = _quarters(timezone.localdate(now))
    plan = [
        DemoQuarter(*quarters[0], population=820, respondents=231, mean=2.9),
        DemoQuarter(*quarters[1], population=760, respondents=262, mean=3.0),
        DemoQuarter(*quarters[2], population=900, respondents=281, mean=3.15),
        DemoQuarter(*quarters[3], population=870, respondents=276, mean=3.3),
        DemoQuarter(*quarters[4], population=0, respondents=64, mean=3.35),
    ]
    added = 0
    for number, quarter in enumerate(plan):
        label = f"T{(quarter.starts_on.month - 1) // 3 + 1} {quarter.starts_on.year}"
        period = services.define_period(
            unit=unit,
            code=f"{quarter.starts_on.year}-t{(quarter.starts_on.month - 1) // 3 + 1}",
            name=f"Triwulan {label[1:]}",
            starts_on=quarter.starts_on,
            ends_on=quarter.ends_on,
            # The current quarter counts the cases closed in it.
            population=quarter.population if number < len(plan) - 1 else None,
        )
        rows = _responses(rng, period, quarter, now)
        Response.objects.bulk_create(rows, batch_size=1000)
        services.rebuild_tally(period=period)
        added += len(rows)
        if number < len(plan) - 1:
            services.close_period(period=period, now=now)
            services.publish_result(period=period, now=now)
    return added
