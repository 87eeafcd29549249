"""Anomaly rules on hand-built decisions; each flag names its rule."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from loket.calendar.models import WorkingCalendar
from loket.calendar.workingtime import working_time_between
from loket.insights import anomalies
from loket.insights.anomalies import Application, Decision
from tests.org.factories import AgencyFactory

JAKARTA = ZoneInfo("Asia/Jakarta")


def at(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, minute, tzinfo=JAKARTA)


def decision(number: str, opened: dt.datetime, decided: dt.datetime, **kw: str) -> Decision:
    values = {"step_id": "persetujuan", "officer": "A", "applicant": "h1", "service": "ium"}
    values.update(kw)
    return Decision(number, values["step_id"], values["officer"], opened, decided,
                    values["applicant"], values["service"])  # fmt: skip


@pytest.mark.django_db
def test_decisions_outside_office_hours_or_on_a_sunday_are_flagged() -> None:
    agency = AgencyFactory()
    WorkingCalendar.objects.create(agency=agency)

    def in_office(moment: dt.datetime) -> bool:
        return working_time_between(
            agency, moment, moment + dt.timedelta(minutes=1)
        ) > dt.timedelta(0)

    decisions = [
        decision("DAY", at(6), at(6, 15, 59)),
        decision("NIGHT", at(6), at(6, 22)),
        decision("SUNDAY", at(6), at(12, 10)),
        decision("CLOSING", at(6), at(6, 16)),  # the office closes at 16:00
    ]
    flags = anomalies.outside_office_hours(decisions, in_office=in_office)
    assert [(f.rule, f.tracking_number) for f in flags] == [
        ("outside_office_hours", "NIGHT"),
        ("outside_office_hours", "SUNDAY"),
        ("outside_office_hours", "CLOSING"),
    ]


def test_an_approval_far_faster_than_the_step_median_is_flagged(settings) -> None:
    settings.LOKET_ANOMALY_MIN_SAMPLE = 5
    usual = [decision(f"U{i}", at(6), at(6, 12)) for i in range(5)]  # two hours each
    fast = decision("FAST", at(6), at(6, 10, 11))  # 11 minutes < 10 % of 120
    borderline = decision("EDGE", at(6), at(6, 10, 12))  # exactly 10 %: not flagged
    flags = anomalies.much_faster_than_usual([*usual, fast, borderline])
    assert [f.tracking_number for f in flags] == ["FAST"]
    assert flags[0].rule == "much_faster_than_usual"


def test_too_few_samples_flag_nothing(settings) -> None:
    settings.LOKET_ANOMALY_MIN_SAMPLE = 20
    items = [decision(f"U{i}", at(6), at(6, 12)) for i in range(5)]
    assert anomalies.much_faster_than_usual([*items, decision("F", at(6), at(6, 10, 1))]) == []


def test_one_officer_deciding_most_of_one_applicants_cases_is_flagged(settings) -> None:
    settings.LOKET_ANOMALY_APPLICANT_CASES = 5
    settings.LOKET_ANOMALY_OFFICER_SHARE = 0.8
    same = [decision(f"C{i}", at(6), at(7), officer="A", applicant="h1") for i in range(4)]
    other = decision("C4", at(6), at(7), officer="B", applicant="h1")
    spread = [decision(f"D{i}", at(6), at(7), officer=f"O{i}", applicant="h2") for i in range(5)]
    flags = anomalies.officer_concentration([*same, other, *spread])
    assert sorted(f.tracking_number for f in flags) == ["C0", "C1", "C2", "C3"]
    assert {f.rule for f in flags} == {"officer_concentration"}


def test_repeated_applications_with_the_same_nik_are_flagged(settings) -> None:
    settings.LOKET_ANOMALY_REPEATS = 3
    settings.LOKET_ANOMALY_REPEAT_DAYS = 30
    close = [Application(f"R{i}", "h1", "ium", at(1 + 10 * i)) for i in range(3)]  # 20 days
    spread = [
        Application(f"S{i}", "h2", "ium", at(1) + dt.timedelta(days=20 * i)) for i in range(3)
    ]
    other_service = Application("T", "h1", "reklame", at(2))
    flags = anomalies.repeated_applications([*close, *spread, other_service])
    assert sorted(f.tracking_number for f in flags) == ["R0", "R1", "R2"]


def test_repeats_exactly_at_the_window_are_flagged_and_one_second_more_is_not(settings) -> None:
    settings.LOKET_ANOMALY_REPEATS = 3
    settings.LOKET_ANOMALY_REPEAT_DAYS = 30
    start = at(1)
    within = [
        Application(f"W{i}", "h1", "ium", start + dt.timedelta(days=15 * i)) for i in range(3)
    ]
    beyond = [
        Application("B0", "h2", "ium", start),
        Application("B1", "h2", "ium", start + dt.timedelta(days=15)),
        Application("B2", "h2", "ium", start + dt.timedelta(days=30, seconds=1)),
    ]
    flags = anomalies.repeated_applications([*within, *beyond])
    assert sorted(f.tracking_number for f in flags) == ["W0", "W1", "W2"]
    assert all("3+ in 30 d" in f.explanation for f in flags)


def test_officer_share_exactly_at_the_threshold_fires_and_too_few_cases_never(settings) -> None:
    settings.LOKET_ANOMALY_APPLICANT_CASES = 5
    settings.LOKET_ANOMALY_OFFICER_SHARE = 0.8
    at_share = [decision(f"A{i}", at(6), at(7), officer="A", applicant="h1") for i in range(4)]
    at_share.append(decision("A4", at(6), at(7), officer="B", applicant="h1"))  # 4 / 5 = 0.8
    few = [decision(f"F{i}", at(6), at(7), officer="A", applicant="h2") for i in range(4)]
    flags = anomalies.officer_concentration([*at_share, *few])
    assert sorted(f.tracking_number for f in flags) == ["A0", "A1", "A2", "A3"]
    assert flags[0].explanation == "A: 4 / 5"


def test_no_decisions_flag_nothing() -> None:
    assert anomalies.much_faster_than_usual([]) == []
    assert anomalies.officer_concentration([]) == []
    assert anomalies.repeated_applications([]) == []
