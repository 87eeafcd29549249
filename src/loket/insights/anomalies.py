"""Explainable anomaly flags for internal supervision: each flag names the rule that fired.

Thresholds are settings (LOKET_ANOMALY_*): no regulation fixes them [unverified],
so each agency tunes them. A flag is a question for the inspectorate, not a finding.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings

from loket.insights.kpi import median


@dataclass(frozen=True)
class Decision:
    """One officer decision on a task, as the rules read it (no names, no NIK)."""

    tracking_number: str
    step_id: str
    officer: str  # shown to supervisors only
    opened_at: dt.datetime
    decided_at: dt.datetime
    applicant: str  # a look-up hash, never the NIK itself
    service: str


@dataclass(frozen=True)
class Flag:
    rule: str
    tracking_number: str
    explanation: str
    label: str = ""  # the rule in words, for the page


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def outside_office_hours(
    decisions: Iterable[Decision], *, in_office: Callable[[dt.datetime], bool]
) -> list[Flag]:
    """Decisions taken outside the agency's office hours or on a non-working day."""
    return [
        Flag("outside_office_hours", d.tracking_number, f"{d.step_id} @ {d.decided_at.isoformat()}")
        for d in decisions
        if not in_office(d.decided_at)
    ]


def much_faster_than_usual(decisions: Iterable[Decision]) -> list[Flag]:
    """Decisions taken in under a fraction of the step's median time (with enough samples)."""
    fraction = _setting("LOKET_ANOMALY_FAST_FRACTION", 0.1)
    minimum = int(_setting("LOKET_ANOMALY_MIN_SAMPLE", 20))
    by_step: dict[str, list[Decision]] = defaultdict(list)
    for decision in decisions:
        by_step[decision.step_id].append(decision)
    flags: list[Flag] = []
    for step, items in by_step.items():
        seconds = [(d.decided_at - d.opened_at).total_seconds() for d in items]
        usual = median(seconds)
        if usual is None or len(items) < minimum or usual <= 0:
            continue
        for decision, taken in zip(items, seconds, strict=True):
            if taken < fraction * usual:
                flags.append(
                    Flag(
                        "much_faster_than_usual",
                        decision.tracking_number,
                        f"{step}: {taken:.0f} s, median {usual:.0f} s",
                    )
                )
    return flags


def officer_concentration(decisions: Iterable[Decision]) -> list[Flag]:
    """One officer deciding an unusual share of one applicant's cases."""
    share = _setting("LOKET_ANOMALY_OFFICER_SHARE", 0.8)
    minimum = int(_setting("LOKET_ANOMALY_APPLICANT_CASES", 5))
    cases: dict[str, set[str]] = defaultdict(set)
    deciders: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for d in decisions:
        cases[d.applicant].add(d.tracking_number)
        deciders[d.applicant][d.officer].add(d.tracking_number)
    flags: list[Flag] = []
    for applicant, numbers in cases.items():
        if len(numbers) < minimum:
            continue
        for officer, decided in deciders[applicant].items():
            if len(decided) >= share * len(numbers):
                flags.extend(
                    Flag(
                        "officer_concentration",
                        number,
                        f"{officer}: {len(decided)} / {len(numbers)}",
                    )
                    for number in sorted(decided)
                )
    return flags


@dataclass(frozen=True)
class Application:
    tracking_number: str
    applicant: str  # look-up hash
    service: str
    submitted_at: dt.datetime


def repeated_applications(applications: Iterable[Application]) -> list[Flag]:
    """The same NIK applying for the same service repeatedly within a window."""
    limit = int(_setting("LOKET_ANOMALY_REPEATS", 3))
    window = dt.timedelta(days=_setting("LOKET_ANOMALY_REPEAT_DAYS", 30))
    groups: dict[tuple[str, str], list[Application]] = defaultdict(list)
    for application in applications:
        groups[(application.applicant, application.service)].append(application)
    flags: list[Flag] = []
    for (_applicant, service), items in groups.items():
        items.sort(key=lambda a: a.submitted_at)
        flagged: Counter[str] = Counter()
        for index in range(len(items) - limit + 1):
            run = items[index : index + limit]
            if run[-1].submitted_at - run[0].submitted_at <= window:
                for application in run:
                    flagged[application.tracking_number] += 1
        flags.extend(
            Flag("repeated_applications", number, f"{service}: {limit}+ in {window.days} d")
            for number in flagged
        )
    return flags
