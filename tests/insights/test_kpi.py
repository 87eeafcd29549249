"""Every KPI on hand-built histories, against the agency's real working calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from loket.calendar.collective_leave import load_collective_leave
from loket.calendar.models import CalendarDay, WorkingCalendar
from loket.insights import kpi
from loket.insights.kpi import CaseHistory, Event, Period, TaskRecord
from tests.org.factories import AgencyFactory

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
FIVE_DAYS = dt.timedelta(hours=8 * 5)
SECOND = dt.timedelta(seconds=1)
JULY = Period(dt.datetime(2026, 7, 1, tzinfo=JAKARTA), dt.datetime(2026, 8, 1, tzinfo=JAKARTA))


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=JAKARTA)


def case(
    *events: tuple[dt.datetime, str] | tuple[dt.datetime, str, str] | Event,
    submitted: dt.datetime | None = None,
    deadline: dt.timedelta | None = FIVE_DAYS,
    number: str = "X",
    online: bool = True,
) -> CaseHistory:
    built = tuple(e if isinstance(e, Event) else Event(*e) for e in events)  # type: ignore[arg-type]
    return CaseHistory(
        tracking_number=number,
        submitted_at=submitted or built[0].at,
        events=built,
        service_deadline=deadline,
        is_online=online,
    )


def decided(
    complete: dt.datetime, closed: dt.datetime, outcome: str = "approved", **kw: object
) -> CaseHistory:
    return case((complete, "declared_complete"), (closed, "closed", outcome), **kw)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> kpi.AgencyClock:
    agency = AgencyFactory()
    load_collective_leave(WorkingCalendar.objects.create(agency=agency), [2026])
    return kpi.AgencyClock(agency.pk)


# -- statistics ------------------------------------------------------------------------


def test_median_of_an_odd_number_is_the_middle_value() -> None:
    assert kpi.median([5.0, 1.0, 3.0]) == 3.0


def test_median_of_an_even_number_is_the_mean_of_the_two_middles() -> None:
    assert kpi.median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_median_and_p90_of_nothing_are_none() -> None:
    assert kpi.median([]) is None
    assert kpi.percentile_nearest_rank([], 90) is None


@pytest.mark.parametrize(
    ("n", "rank"), [(1, 1), (2, 2), (9, 9), (10, 9), (11, 10), (20, 18), (21, 19), (70, 63)]
)
def test_p90_is_the_nearest_rank_value(n: int, rank: int) -> None:
    values = [float(v) for v in range(1, n + 1)]
    assert kpi.percentile_nearest_rank(list(reversed(values)), 90) == float(rank)


def test_percentile_outside_one_to_hundred_is_refused() -> None:
    with pytest.raises(ValueError):
        kpi.percentile_nearest_rank([1.0], 0)


# -- due moment and SLA (K2) ------------------------------------------------------------------


def test_deadline_runs_from_completeness_not_submission(clock: kpi.AgencyClock) -> None:
    history = case((at(7, 3), "submitted"), (at(7, 6), "declared_complete"))
    assert kpi.due_at(history, clock) == at(7, 13)


def test_case_decided_exactly_at_its_due_moment_is_on_time(clock: kpi.AgencyClock) -> None:
    on_the_dot = decided(at(7, 6), at(7, 13))
    one_second_late = decided(at(7, 6), at(7, 13) + SECOND)
    share = kpi.sla_compliance([on_the_dot, one_second_late], JULY, clock)
    assert (share.count, share.total) == (1, 2)
    assert share.value == Decimal("0.5")


def test_return_to_applicant_pauses_the_clock(clock: kpi.AgencyClock) -> None:
    history = case(
        (at(7, 6), "declared_complete"),
        (at(7, 7), "awaiting_applicant", "", "", "KTP buram"),
        (at(7, 9), "resubmitted"),
        (at(7, 15), "closed", "approved"),
    )
    assert kpi.due_at(history, clock) == at(7, 15)
    assert kpi.sla_compliance([history], JULY, clock) == kpi.Share(1, 1)


def test_payment_pauses_the_clock_and_is_not_a_return(clock: kpi.AgencyClock) -> None:
    history = case(
        (at(7, 6), "declared_complete"),
        (at(7, 7), "awaiting_payment"),
        (at(7, 8), "paid"),
        (at(7, 14), "closed", "approved"),
    )
    assert kpi.due_at(history, clock) == at(7, 14)
    assert kpi.first_time_right([history], JULY) == kpi.Share(1, 1)


def test_pause_before_completeness_does_not_move_the_deadline(clock: kpi.AgencyClock) -> None:
    history = case(
        (at(7, 1), "submitted"),
        (at(7, 1, 11), "awaiting_applicant"),
        (at(7, 3), "resubmitted"),
        (at(7, 6), "declared_complete"),
    )
    assert kpi.due_at(history, clock) == at(7, 13)


def test_pause_after_the_deadline_keeps_the_case_overdue(clock: kpi.AgencyClock) -> None:
    history = case(
        (at(7, 6), "declared_complete"),
        (at(7, 14), "awaiting_applicant"),
        (at(7, 16), "resubmitted"),
    )
    # Nothing was left when the clock stopped: due at the resumption, as the engine does.
    assert kpi.due_at(history, clock) == at(7, 16)


def test_cuti_bersama_extends_the_deadline(clock: kpi.AgencyClock) -> None:
    # Wed 13 May 2026; Thu 14 is Ascension Day, Fri 15 is cuti bersama.
    history = decided(at(5, 13), at(5, 21, 15))
    may = Period(at(5, 1, 0), at(6, 1, 0))
    assert kpi.due_at(history, clock) == at(5, 22)
    assert kpi.sla_compliance([history], may, clock) == kpi.Share(1, 1)


def test_without_cuti_bersama_the_same_case_is_late(clock: kpi.AgencyClock) -> None:
    from loket.calendar import workingtime

    CalendarDay.objects.filter(date=dt.date(2026, 5, 15)).delete()
    workingtime.invalidate()
    history = decided(at(5, 13), at(5, 21, 15))
    may = Period(at(5, 1, 0), at(6, 1, 0))
    assert kpi.due_at(history, clock) == at(5, 21)
    assert kpi.sla_compliance([history], may, clock) == kpi.Share(0, 1)


def test_case_never_complete_is_left_out_of_sla(clock: kpi.AgencyClock) -> None:
    rejected_at_check = case(
        (at(7, 6), "submitted"),
        (at(7, 6), "auto_step", "rejected"),
        (at(7, 6), "closed", "rejected"),
    )
    assert kpi.sla_compliance([rejected_at_check], JULY, clock) == kpi.Share(0, 0)


# -- volume (K1), processing time (K3) ----------------------------------------------------------


def test_cancelled_cases_count_in_volume_but_not_in_time_or_sla(clock: kpi.AgencyClock) -> None:
    cancelled = decided(at(7, 6), at(7, 30), "cancelled")
    approved = decided(at(7, 6), at(7, 8))
    rejected = decided(at(7, 6), at(7, 7), "rejected")
    cases = [cancelled, approved, rejected]
    assert kpi.volume(cases, JULY) == kpi.Volume(submitted=3, approved=1, rejected=1, cancelled=1)
    assert kpi.volume(cases, JULY).decided == 2
    assert kpi.sla_compliance(cases, JULY, clock) == kpi.Share(2, 2)
    assert kpi.processing_time(cases, JULY, clock, from_submission=False) == kpi.Durations(
        1.5, 2.0, 2
    )


def test_period_is_half_open(clock: kpi.AgencyClock) -> None:
    closed_at_midnight = decided(at(7, 28), JULY.end)
    assert kpi.volume([closed_at_midnight], JULY).approved == 0
    august = Period(JULY.end, at(9, 1, 0))
    assert kpi.volume([closed_at_midnight], august).approved == 1


def test_processing_time_subtracts_paused_office_time(clock: kpi.AgencyClock) -> None:
    history = case(
        (at(7, 3), "submitted"),
        (at(7, 6), "declared_complete"),
        (at(7, 7), "awaiting_applicant"),
        (at(7, 9), "resubmitted"),
        (at(7, 10), "closed", "approved"),
    )
    from_complete = kpi.processing_time([history], JULY, clock, from_submission=False)
    from_submission = kpi.processing_time([history], JULY, clock, from_submission=True)
    assert from_complete.median == pytest.approx(2.0)
    assert from_submission.median == pytest.approx(3.0)


def test_processing_time_median_of_even_number_and_p90(clock: kpi.AgencyClock) -> None:
    cases = [decided(at(7, 6), at(7, 6 + days)) for days in (1, 2, 3, 8)]
    result = kpi.processing_time(cases, JULY, clock, from_submission=False)
    # 6+8 = Tue 14 July: 6 working days after Mon 6 July.
    assert result == kpi.Durations(median=2.5, p90=6.0, count=4)


# -- returns (K5, K6), outcomes (K7) ------------------------------------------------------------


def returned_twice() -> CaseHistory:
    return case(
        (at(7, 6), "declared_complete"),
        (at(7, 7), "awaiting_applicant", "", "", "KTP buram"),
        (at(7, 8), "resubmitted"),
        (at(7, 8, 11), "awaiting_applicant", "", "", "KTP buram"),
        (at(7, 9), "resubmitted"),
        (at(7, 10), "closed", "approved"),
    )


def test_first_time_right_and_return_rate(clock: kpi.AgencyClock) -> None:
    cases = [returned_twice(), decided(at(7, 6), at(7, 7)), decided(at(7, 6), at(7, 8))]
    assert kpi.first_time_right(cases, JULY) == kpi.Share(2, 3)
    result = kpi.returns(cases, JULY)
    assert result.returned == kpi.Share(1, 3)
    assert result.mean_returns == Decimal(2) / Decimal(3)
    assert result.reasons == [("KTP buram", 2)]


def test_rejections_at_the_automatic_check_are_shown_apart() -> None:
    automatic = case(
        (at(7, 6), "submitted"),
        (at(7, 6), "auto_step", "rejected"),
        (at(7, 6), "closed", "rejected"),
    )
    by_officer = decided(at(7, 6), at(7, 7), "rejected")
    approved = decided(at(7, 6), at(7, 8))
    result = kpi.outcomes([automatic, by_officer, approved], JULY)
    assert result.approved == kpi.Share(1, 3)
    assert result.rejected == kpi.Share(2, 3)
    assert result.rejected_automatically == kpi.Share(1, 3)


# -- backlog (K4) and fiktif positif (K12) -------------------------------------------------------


def test_backlog_splits_open_cases_by_deadline_used(clock: kpi.AgencyClock) -> None:
    moment = at(7, 13, 12)
    cases = [
        case((at(7, 13), "declared_complete")),  # 2 of 40 hours used
        case((at(7, 8), "declared_complete")),  # 26 hours used
        case((at(7, 1), "declared_complete")),  # due 8 July: overdue
        case((at(7, 1), "declared_complete"), (at(7, 2), "awaiting_applicant")),  # waiting
        case((at(7, 13), "submitted")),  # not yet declared complete
        decided(at(7, 1), at(7, 3)),  # closed before the moment
        case((at(7, 14), "submitted")),  # not yet submitted at the moment
    ]
    assert kpi.backlog(cases, moment, clock) == kpi.Backlog(
        not_yet_complete=1, under_half=1, half_to_full=1, overdue=1, awaiting_applicant=1
    )


def test_fiktif_positif_lists_running_cases_past_their_deadline(clock: kpi.AgencyClock) -> None:
    past = case((at(7, 1), "declared_complete"), number="PAST")
    exactly_due = case((at(7, 6), "declared_complete"), number="DUE")
    waiting = case((at(7, 1), "declared_complete"), (at(7, 2), "awaiting_applicant"), number="WAIT")
    resumed = case(
        (at(7, 1), "declared_complete"),
        (at(7, 2), "awaiting_applicant"),
        (at(7, 13), "resubmitted"),
        number="RESUMED",
    )
    exposed = kpi.fiktif_positif_exposure([past, exactly_due, waiting, resumed], at(7, 13), clock)
    assert [c.tracking_number for c in exposed] == ["PAST"]


def test_digital_share_counts_online_submissions() -> None:
    cases = [case((at(7, 6), "submitted")), case((at(7, 6), "submitted"), online=False)]
    assert kpi.digital_share(cases, JULY) == kpi.Share(1, 2)


# -- tasks (K8, K9) ------------------------------------------------------------------------------


def test_task_timeliness_per_position_and_officer() -> None:
    tasks = [
        TaskRecord("verifikator", at(7, 7), at(7, 7), "A"),  # exactly at due: on time
        TaskRecord("verifikator", at(7, 7), at(7, 7) + SECOND, "B", escalated=True),
        TaskRecord("kepala", at(7, 9), at(7, 8), "A"),
        TaskRecord("kepala", at(7, 9), None, "", escalated=True),  # still open
    ]
    by_position = kpi.task_timeliness(tasks, JULY)
    assert by_position["verifikator"].share == kpi.Share(1, 2)
    assert by_position["verifikator"].escalations == 1
    assert by_position["kepala"].share == kpi.Share(1, 1)
    assert by_position["kepala"].escalations == 1
    by_officer = kpi.task_timeliness(tasks, JULY, by="officer")
    assert by_officer["A"].share == kpi.Share(2, 2)
    assert by_officer["B"].share == kpi.Share(0, 1)


def test_acting_share_counts_plt_and_plh_decisions() -> None:
    tasks = [
        TaskRecord("kepala", None, at(7, 7), "A", "plt"),
        TaskRecord("kepala", None, at(7, 8), "B", "plh"),
        TaskRecord("kepala", None, at(7, 9), "C", "definitive"),
        TaskRecord("kepala", None, at(6, 9), "C", "plt"),  # outside the period
    ]
    assert kpi.acting_share(tasks, JULY) == kpi.Share(2, 3)


# -- capaian ---------------------------------------------------------------------------------------


def test_achievement_for_higher_is_better() -> None:
    assert kpi.achievement(
        actual=Decimal(90), target=Decimal(80), higher_is_better=True
    ) == Decimal("112.5")


def test_achievement_for_lower_is_better_uses_the_named_formula() -> None:
    args = {"actual": Decimal(4), "target": Decimal(5), "higher_is_better": False}
    assert kpi.achievement(**args, lower_formula="inverse") == Decimal(125)  # type: ignore[arg-type]
    assert kpi.achievement(**args, lower_formula="two_minus") == Decimal(120)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        kpi.achievement(**args)  # type: ignore[arg-type]


def test_service_without_completeness_check_runs_from_submission(clock: kpi.AgencyClock) -> None:
    history = CaseHistory(
        tracking_number="X",
        submitted_at=at(7, 6),
        events=(Event(at(7, 6), "submitted"),),
        service_deadline=FIVE_DAYS,
        complete_on_submission=True,
    )
    assert kpi.due_at(history, clock) == at(7, 13)
