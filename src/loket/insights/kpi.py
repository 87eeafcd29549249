"""Service KPIs K1-K9, K11 and K12 as pure functions over case histories.

The definitions are those of the shared performance note (§2): time is office
time on the agency's working calendar, measured from completeness (UU 30/2014
Pasal 53) and, for transparency, from submission; time the case waits for the
applicant (a return for revision or an unpaid bill) is paused time and never
counts. A history is plain data built from the case events (see
``history_from_events``), so the figures agree with what the case pages show.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

# Event kinds that stop the service clock and those that start it again.
PAUSE_KINDS = frozenset({"awaiting_applicant", "awaiting_payment"})
RESUME_KINDS = frozenset({"resubmitted", "paid", "closed"})
ACTING_CAPACITIES = frozenset({"plt", "plh"})
DECIDED_OUTCOMES = frozenset({"approved", "rejected"})


class WorkingClock(Protocol):
    """The agency's working calendar, as the KPIs need it."""

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta: ...

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime: ...

    @property
    def day_length(self) -> dt.timedelta: ...


class AgencyClock:
    """The real calendar of one agency (weekends, national holidays, cuti bersama)."""

    def __init__(self, agency_id: int) -> None:
        from loket.calendar import workingtime

        self._time = workingtime
        self.agency_id = agency_id

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        return self._time.working_time_between(self.agency_id, start, end)

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        return self._time.add_working_time(self.agency_id, start, duration)

    @property
    def day_length(self) -> dt.timedelta:
        return self._time._rules(self.agency_id).day_length


@dataclass(frozen=True)
class Event:
    """One line of a case's history, reduced to what the KPIs read."""

    at: dt.datetime
    kind: str
    action: str = ""
    step_id: str = ""
    reason: str = ""


@dataclass(frozen=True)
class CaseHistory:
    """One case: when it came in, its service deadline and its events in order."""

    tracking_number: str
    submitted_at: dt.datetime
    events: tuple[Event, ...]
    # The service deadline as office time (working days × day length, or hours).
    service_deadline: dt.timedelta | None
    is_online: bool = True
    # A service with no completeness check: the application is complete as received.
    complete_on_submission: bool = False

    @property
    def complete_at(self) -> dt.datetime | None:
        """t_lengkap: the first declaration of completeness (later returns only pause)."""
        if self.complete_on_submission:
            return self.submitted_at
        return next((e.at for e in self.events if e.kind == "declared_complete"), None)

    @property
    def closing(self) -> Event | None:
        return next((e for e in self.events if e.kind == "closed"), None)

    @property
    def outcome(self) -> str:
        closing = self.closing
        return closing.action if closing else ""

    @property
    def closed_at(self) -> dt.datetime | None:
        closing = self.closing
        return closing.at if closing else None

    @property
    def is_decided(self) -> bool:
        return self.outcome in DECIDED_OUTCOMES

    @property
    def returns(self) -> tuple[Event, ...]:
        """Returns to the applicant for revision (a bill is a pause, not a return)."""
        return tuple(e for e in self.events if e.kind == "awaiting_applicant")

    @property
    def is_rejected_automatically(self) -> bool:
        return self.outcome == "rejected" and any(
            e.kind == "auto_step" and e.action == "rejected" for e in self.events
        )

    def pauses(self, until: dt.datetime | None = None) -> list[tuple[dt.datetime, dt.datetime]]:
        """Intervals the case waited for the applicant; one still open ends at `until`."""
        intervals: list[tuple[dt.datetime, dt.datetime]] = []
        started: dt.datetime | None = None
        for event in self.events:
            if until is not None and event.at > until:
                break
            if event.kind in PAUSE_KINDS and started is None:
                started = event.at
            elif event.kind in RESUME_KINDS and started is not None:
                intervals.append((started, event.at))
                started = None
        if started is not None and until is not None:
            intervals.append((started, until))
        return intervals

    def is_paused_at(self, moment: dt.datetime) -> bool:
        """Whether the case waits for the applicant at `moment` (a resumption at it runs)."""
        paused = False
        for event in self.events:
            if event.at > moment:
                break
            if event.kind in PAUSE_KINDS:
                paused = True
            elif event.kind in RESUME_KINDS:
                paused = False
        return paused


def due_at(case: CaseHistory, clock: WorkingClock) -> dt.datetime | None:
    """The service due moment after all pauses, exactly as the engine moves it.

    From completeness the deadline runs; a pause keeps the office time left
    (none once overdue) and the resumption adds it back from that moment.
    """
    complete = case.complete_at
    if complete is None or case.service_deadline is None:
        return None
    due = clock.add(complete, case.service_deadline)
    for start, end in case.pauses():
        if start < complete:
            continue  # no service clock ran yet, so none paused
        left = clock.between(start, due) if due > start else dt.timedelta(0)
        due = clock.add(end, left)
    return due


def working_days(
    case: CaseHistory, clock: WorkingClock, start: dt.datetime, end: dt.datetime
) -> float:
    """wd(start, end): office time between them minus paused office time, in working days."""
    total = clock.between(start, end)
    for pause_start, pause_end in _union(case.pauses(until=end)):
        lo, hi = max(pause_start, start), min(pause_end, end)
        if hi > lo:
            total -= clock.between(lo, hi)
    return total / clock.day_length


def _union(
    intervals: Iterable[tuple[dt.datetime, dt.datetime]],
) -> list[tuple[dt.datetime, dt.datetime]]:
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# -- statistics ------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    """The middle value; the mean of the two middle values when there is an even number."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile_nearest_rank(values: Sequence[float], percent: int) -> float | None:
    """The ⌈percent/100 · n⌉-th smallest value (nearest rank), in integer arithmetic.

    0.9 · 70 is 63.000000000000001 in floating point, whose ceiling would be 64.
    """
    if not values:
        return None
    if not 0 < percent <= 100:
        raise ValueError("percent must be in 1..100")
    rank = (percent * len(values) + 99) // 100
    return sorted(values)[rank - 1]


def ratio(part: int, whole: int) -> Decimal | None:
    """part/whole as a fraction (None when there is nothing to divide by)."""
    return None if whole == 0 else Decimal(part) / Decimal(whole)


# -- per-period indicators ----------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A half-open interval [start, end) of time."""

    start: dt.datetime
    end: dt.datetime

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, dt.datetime) and self.start <= moment < self.end


def decided_in(cases: Iterable[CaseHistory], period: Period) -> list[CaseHistory]:
    """Cases approved or rejected with their closing inside the period."""
    return [c for c in cases if c.is_decided and c.closed_at in period]


@dataclass(frozen=True)
class Volume:
    submitted: int
    approved: int
    rejected: int
    cancelled: int

    @property
    def decided(self) -> int:
        return self.approved + self.rejected


def volume(cases: Iterable[CaseHistory], period: Period) -> Volume:
    """K1: submitted in the period; approved, rejected and cancelled closed in it."""
    cases = list(cases)
    closed = Counter(c.outcome for c in cases if c.closed_at in period)
    return Volume(
        submitted=sum(1 for c in cases if c.submitted_at in period),
        approved=closed["approved"],
        rejected=closed["rejected"],
        cancelled=closed["cancelled"],
    )


@dataclass(frozen=True)
class Share:
    """A proportion with its sample size, so that a small n is visible."""

    count: int
    total: int

    @property
    def value(self) -> Decimal | None:
        return ratio(self.count, self.total)


def sla_compliance(cases: Iterable[CaseHistory], period: Period, clock: WorkingClock) -> Share:
    """K2: decided cases closed by their due moment (closing exactly at it is on time).

    A decided case whose clock never started (never declared complete, or a
    service without a deadline) cannot be late or on time and is left out.
    """
    on_time = total = 0
    for case in decided_in(cases, period):
        due = due_at(case, clock)
        if due is None or case.closed_at is None:
            continue
        total += 1
        on_time += case.closed_at <= due
    return Share(on_time, total)


@dataclass(frozen=True)
class Durations:
    """K3: median and P90 working days over decided cases, and the sample size."""

    median: float | None
    p90: float | None
    count: int


def _durations(values: list[float]) -> Durations:
    return Durations(median(values), percentile_nearest_rank(values, 90), len(values))


def processing_time(
    cases: Iterable[CaseHistory], period: Period, clock: WorkingClock, *, from_submission: bool
) -> Durations:
    """K3: wd(t_lengkap, t_close) (or from t_sub) over the cases decided in the period."""
    values = []
    for case in decided_in(cases, period):
        start = case.submitted_at if from_submission else case.complete_at
        if start is None or case.closed_at is None:
            continue
        values.append(working_days(case, clock, start, case.closed_at))
    return _durations(values)


def first_time_right(cases: Iterable[CaseHistory], period: Period) -> Share:
    """K5: decided cases never returned to the applicant."""
    decided = decided_in(cases, period)
    return Share(sum(1 for c in decided if not c.returns), len(decided))


@dataclass(frozen=True)
class Returns:
    """K6: the share of decided cases returned at least once, the mean number of returns
    and how often each reason was given."""

    returned: Share
    mean_returns: Decimal | None
    reasons: list[tuple[str, int]]


def returns(cases: Iterable[CaseHistory], period: Period) -> Returns:
    decided = decided_in(cases, period)
    count = sum(len(c.returns) for c in decided)
    reasons = Counter(e.reason.strip() for c in decided for e in c.returns if e.reason.strip())
    return Returns(
        returned=Share(sum(1 for c in decided if c.returns), len(decided)),
        mean_returns=ratio(count, len(decided)),
        reasons=reasons.most_common(),
    )


@dataclass(frozen=True)
class Outcomes:
    """K7: approval and rejection rates; rejections at the automatic check apart."""

    approved: Share
    rejected: Share
    rejected_automatically: Share


def outcomes(cases: Iterable[CaseHistory], period: Period) -> Outcomes:
    decided = decided_in(cases, period)
    n = len(decided)
    return Outcomes(
        approved=Share(sum(1 for c in decided if c.outcome == "approved"), n),
        rejected=Share(sum(1 for c in decided if c.outcome == "rejected"), n),
        rejected_automatically=Share(sum(1 for c in decided if c.is_rejected_automatically), n),
    )


@dataclass(frozen=True)
class Backlog:
    """K4 at one moment: open cases by how much of their deadline is used."""

    not_yet_complete: int = 0
    under_half: int = 0
    half_to_full: int = 0
    overdue: int = 0
    awaiting_applicant: int = 0

    @property
    def open(self) -> int:
        return (
            self.not_yet_complete
            + self.under_half
            + self.half_to_full
            + self.overdue
            + self.awaiting_applicant
        )


def _is_open_at(case: CaseHistory, moment: dt.datetime) -> bool:
    closed = case.closed_at
    return case.submitted_at <= moment and (closed is None or closed > moment)


def backlog(cases: Iterable[CaseHistory], moment: dt.datetime, clock: WorkingClock) -> Backlog:
    """K4: open cases at `moment`; a paused case is waiting, never overdue."""
    counts: Counter[str] = Counter()
    for case in cases:
        if not _is_open_at(case, moment):
            continue
        if case.is_paused_at(moment):
            counts["awaiting_applicant"] += 1
            continue
        due, complete = due_at(case, clock), case.complete_at
        if complete is None or due is None or complete > moment:
            counts["not_yet_complete"] += 1
        elif moment > due:
            counts["overdue"] += 1
        else:
            used = working_days(case, clock, complete, moment) * clock.day_length
            deadline = case.service_deadline or dt.timedelta(0)
            counts["under_half" if used * 2 < deadline else "half_to_full"] += 1
    return Backlog(**counts)


def fiktif_positif_exposure(
    cases: Iterable[CaseHistory], moment: dt.datetime, clock: WorkingClock
) -> list[CaseHistory]:
    """K12: open, running cases whose statutory deadline (from t_lengkap) has passed."""
    exposed = []
    for case in cases:
        if not _is_open_at(case, moment) or case.is_paused_at(moment):
            continue
        due = due_at(case, clock)
        if due is not None and moment > due:
            exposed.append(case)
    return exposed


def digital_share(cases: Iterable[CaseHistory], period: Period) -> Share:
    """K13: applications submitted online among all submitted in the period."""
    submitted = [c for c in cases if c.submitted_at in period]
    return Share(sum(1 for c in submitted if c.is_online), len(submitted))


# -- tasks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRecord:
    """A decided (or open) task: its position, who decided, in which capacity, when."""

    position: str
    due_at: dt.datetime | None
    decided_at: dt.datetime | None = None
    officer: str = ""
    capacity: str = ""
    escalated: bool = False


@dataclass
class Timeliness:
    """K8 for one position or officer; escalations counted apart."""

    on_time: int = 0
    decided: int = 0
    escalations: int = 0
    share: Share = field(default_factory=lambda: Share(0, 0))


def task_timeliness(
    tasks: Iterable[TaskRecord], period: Period, *, by: str = "position"
) -> dict[str, Timeliness]:
    """K8: tasks decided by their due moment per position (or per officer: by="officer")."""
    result: dict[str, Timeliness] = {}
    for task in tasks:
        key = task.position if by == "position" else task.officer
        row = result.setdefault(key, Timeliness())
        if task.escalated:
            row.escalations += 1
        if task.decided_at is None or task.decided_at not in period:
            continue
        row.decided += 1
        row.on_time += task.due_at is None or task.decided_at <= task.due_at
    for row in result.values():
        row.share = Share(row.on_time, row.decided)
    return result


def acting_share(tasks: Iterable[TaskRecord], period: Period) -> Share:
    """K9: decisions taken as Plt or Plh among all decisions in the period."""
    decided = [t for t in tasks if t.decided_at is not None and t.decided_at in period]
    return Share(sum(1 for t in decided if t.capacity in ACTING_CAPACITIES), len(decided))


# -- K11 complaints ---------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintRecord:
    """One complaint, reduced to what K11 reads (no content, no complainant)."""

    received_at: dt.datetime
    # The tier deadline: set at verification, absent while unverified or when rejected
    # (not the agency's to resolve), so it marks the complaints "to be resolved".
    due_at: dt.datetime | None
    answered_at: dt.datetime | None
    answered_on_time: bool | None


@dataclass(frozen=True)
class ComplaintHandling:
    received: int
    to_resolve: int
    resolved_on_time: int
    median_days: float | None

    @property
    def on_time_percent(self) -> float | None:
        """Jakarta's definition: resolved on time / to be resolved × 100 %."""
        return None if not self.to_resolve else 100 * self.resolved_on_time / self.to_resolve


def complaint_handling(
    complaints: Iterable[ComplaintRecord], period: Period, clock: WorkingClock
) -> ComplaintHandling:
    """K11 over the complaints received in the period.

    To be resolved: those given a tier deadline. Resolved on time: answered by it (the
    engine records `answered_on_time` when it answers). Resolution time: working days from
    receipt to the answer, over those answered.
    """
    received = [c for c in complaints if c.received_at in period]
    to_resolve = [c for c in received if c.due_at is not None]
    days = [
        clock.between(c.received_at, c.answered_at) / clock.day_length
        for c in received
        if c.answered_at is not None
    ]
    return ComplaintHandling(
        received=len(received),
        to_resolve=len(to_resolve),
        resolved_on_time=sum(1 for c in to_resolve if c.answered_on_time is True),
        median_days=median(days),
    )


def per_thousand(count: int, decided: int) -> float | None:
    """K11's complaint rate: complaints per 1 000 decided applications."""
    return None if decided == 0 else 1000 * count / decided


# -- targets ------------------------------------------------------------------------------


def achievement(
    *, actual: Decimal, target: Decimal, higher_is_better: bool, lower_formula: str = ""
) -> Decimal | None:
    """Capaian in percent. For "lower is better" the agency's chosen formula must be named:
    "inverse" (target / actual × 100) or "two_minus" ((2 − actual / target) × 100)."""
    if higher_is_better:
        return None if target == 0 else actual / target * 100
    if lower_formula == "inverse":
        return None if actual == 0 else target / actual * 100
    if lower_formula == "two_minus":
        return None if target == 0 else (2 - actual / target) * 100
    raise ValueError("a lower-is-better indicator needs its capaian formula")


# -- bottlenecks per step (kept in the rollup by the worker) -------------------------------


@dataclass(frozen=True)
class StepTask:
    """One task decided in the period, reduced to what the bottleneck figures read."""

    step_id: str
    created_at: dt.datetime
    claimed_at: dt.datetime | None
    decided_at: dt.datetime
    decision: str  # approve, reject or return
    reason: str = ""


@dataclass(frozen=True)
class StepFigures:
    """Per step: waiting before pick-up and time to decide (hours), returns and reasons."""

    step_id: str
    decided: int
    wait_median_hours: float | None
    wait_mean_hours: float | None
    decide_median_hours: float | None
    decide_mean_hours: float | None
    returns: int
    top_reasons: list[tuple[str, int]]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def step_bottlenecks(tasks: Iterable[StepTask], *, top: int = 3) -> list[StepFigures]:
    """Bottlenecks per step, the longest median wait first.

    Waiting runs from the task's opening to its pick-up (claim); a task decided
    without being claimed first was picked up when decided. Clock skew never
    makes a negative duration: a claim before the opening counts as no wait.
    Only returns count for the reasons; a blank reason is a return without one.
    """
    waits: dict[str, list[float]] = {}
    deciding: dict[str, list[float]] = {}
    returned: Counter[str] = Counter()
    reasons: dict[str, Counter[str]] = {}
    for task in tasks:
        picked = task.claimed_at if task.claimed_at is not None else task.decided_at
        picked = min(max(picked, task.created_at), task.decided_at)
        waits.setdefault(task.step_id, []).append((picked - task.created_at).total_seconds() / 3600)
        deciding.setdefault(task.step_id, []).append(
            (task.decided_at - picked).total_seconds() / 3600
        )
        reasons.setdefault(task.step_id, Counter())
        if task.decision == "return":
            returned[task.step_id] += 1
            if task.reason.strip():
                reasons[task.step_id][task.reason.strip()] += 1
    figures = [
        StepFigures(
            step_id=step,
            decided=len(waits[step]),
            wait_median_hours=median(waits[step]),
            wait_mean_hours=_mean(waits[step]),
            decide_median_hours=median(deciding[step]),
            decide_mean_hours=_mean(deciding[step]),
            returns=returned[step],
            # Most frequent first, ties in alphabetical order so a refresh is repeatable.
            top_reasons=sorted(reasons[step].items(), key=lambda kv: (-kv[1], kv[0]))[:top],
        )
        for step in waits
    ]
    return sorted(figures, key=lambda f: (-(f.wait_median_hours or 0), f.step_id))
