"""Bottlenecks per step on hand-built tasks, and the worker-kept step and flag rollups."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from loket.cases.models import Case
from loket.insights import dashboard, services
from loket.insights.kpi import StepTask, step_bottlenecks
from loket.insights.models import AnomalyFlag, StepRollup
from loket.org.models import Unit
from tests.cases.conftest import NIK
from tests.insights.conftest import JULY, apply, at, decide

JAKARTA = ZoneInfo("Asia/Jakarta")


def t(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, minute, tzinfo=JAKARTA)


def task(step: str, opened: dt.datetime, claimed: dt.datetime | None, decided: dt.datetime,
         *, decision: str = "approve", reason: str = "") -> StepTask:  # fmt: skip
    return StepTask(step, opened, claimed, decided, decision, reason)


def test_no_tasks_give_no_rows() -> None:
    assert step_bottlenecks([]) == []


def test_wait_runs_to_the_claim_and_deciding_from_it() -> None:
    [row] = step_bottlenecks([task("verifikasi", t(6, 8), t(6, 10), t(6, 13))])
    assert (row.wait_median_hours, row.decide_median_hours) == (2.0, 3.0)
    assert (row.wait_mean_hours, row.decide_mean_hours) == (2.0, 3.0)


def test_a_task_decided_without_a_claim_was_picked_up_when_decided() -> None:
    [row] = step_bottlenecks([task("verifikasi", t(6, 8), None, t(6, 12))])
    assert (row.wait_median_hours, row.decide_median_hours) == (4.0, 0.0)


def test_clock_skew_never_gives_a_negative_duration() -> None:
    before_opening = task("s", t(6, 10), t(6, 9), t(6, 12))
    after_decision = task("s", t(6, 10), t(6, 13), t(6, 12))
    [row] = step_bottlenecks([before_opening, after_decision])
    assert row.decided == 2
    assert row.wait_median_hours == 1.0  # (0 + 2) / 2
    assert row.decide_median_hours == 1.0  # (2 + 0) / 2


def test_an_even_number_of_tasks_takes_the_mean_of_the_two_middles() -> None:
    tasks = [task("s", t(6, 8), t(6, 8 + h), t(6, 15)) for h in (1, 2, 4, 7)]
    [row] = step_bottlenecks(tasks)
    assert row.wait_median_hours == 3.0
    assert row.wait_mean_hours == 3.5


def test_returns_count_and_their_reasons_most_frequent_first_ties_by_name() -> None:
    tasks = [
        task("kajian", t(6), t(6), t(7), decision="return", reason="Foto buram."),
        task("kajian", t(6), t(6), t(7), decision="return", reason="  Foto buram.  "),
        task("kajian", t(6), t(6), t(7), decision="return", reason="Alamat salah."),
        task("kajian", t(6), t(6), t(7), decision="return", reason="Akta kurang."),
        task("kajian", t(6), t(6), t(7), decision="return", reason="Zonasi."),
        task(
            "kajian", t(6), t(6), t(7), decision="return", reason=""
        ),  # a return, with no reason given
        task(
            "kajian", t(6), t(6), t(7), decision="reject", reason="Tidak memenuhi syarat."
        ),  # not a return
        task("kajian", t(6), t(6), t(7)),
    ]
    [row] = step_bottlenecks(tasks)
    assert (row.decided, row.returns) == (8, 6)
    assert row.top_reasons == [("Foto buram.", 2), ("Akta kurang.", 1), ("Alamat salah.", 1)]


def test_steps_are_ordered_by_the_longest_median_wait() -> None:
    rows = step_bottlenecks(
        [
            task("cepat", t(6, 8), t(6, 9), t(6, 10)),
            task("lambat", t(6, 8), t(6, 14), t(6, 15)),
            task("juga-cepat", t(6, 8), t(6, 9), t(6, 10)),
        ]
    )
    assert [r.step_id for r in rows] == ["lambat", "cepat", "juga-cepat"]


# -- the rollup the worker keeps -------------------------------------------------------------


@pytest.mark.django_db
def test_the_worker_keeps_the_steps_and_the_page_reads_only_them(
    july_cases: tuple[Case, Case], django_assert_num_queries
) -> None:
    services.refresh_recent(now=at(31, 20))
    unit = Unit.objects.get(code="dpmptsp")
    stored = {r.step_id: r for r in StepRollup.objects.filter(unit=unit, month=JULY)}
    assert stored["verifikasi-berkas"].decided == 3
    assert stored["kajian-teknis"].returns == 1
    assert stored["kajian-teknis"].top_reasons == [["Foto lokasi buram.", 1]]
    with django_assert_num_queries(1):
        rows = dashboard.bottlenecks(unit_id=unit.pk, month=JULY)
    assert {r["step"] for r in rows} == set(stored)
    # A decision after the refresh shows only once the worker has run again.
    late = apply(at(20, 9))
    decide(late, "verifikasi-berkas", "andi", "approve", at(20, 11))
    assert next(r for r in dashboard.bottlenecks(unit_id=unit.pk, month=JULY)
                if r["step"] == "verifikasi-berkas")["decided"] == 3  # fmt: skip
    services.refresh_recent(now=at(31, 20))
    assert StepRollup.objects.get(unit=unit, month=JULY, step_id="verifikasi-berkas").decided == 4


@pytest.mark.django_db
def test_flags_are_kept_once_per_refresh_and_hold_no_nik(
    july_cases: tuple[Case, Case], django_assert_num_queries
) -> None:
    night = apply(at(21, 9))
    decide(night, "verifikasi-berkas", "andi", "approve", at(21, 22))
    services.refresh_recent(now=at(31, 20))
    services.refresh_recent(now=at(31, 21))  # idempotent: no duplicate rows
    unit = Unit.objects.get(code="dpmptsp")
    rows = list(AnomalyFlag.objects.filter(unit=unit, month=JULY))
    night_flags = [r for r in rows if r.rule == "outside_office_hours"]
    assert [r.tracking_number for r in night_flags] == [night.tracking_number]
    repeated = {r.tracking_number for r in rows if r.rule == "repeated_applications"}
    assert len(repeated) == 3
    for row in rows:
        assert NIK not in f"{row.tracking_number} {row.explanation}"
    with django_assert_num_queries(1):
        flags = dashboard.anomaly_flags(unit_id=unit.pk, month=JULY)
    assert {f.rule for f in flags} == {r.rule for r in rows}
    assert all(f.label for f in flags)  # the rule in words for the inspectorate


@pytest.mark.django_db
def test_repeats_across_the_month_start_flag_only_this_months_applications(
    demo: object, settings
) -> None:
    settings.LOKET_ANOMALY_REPEATS = 3
    settings.LOKET_ANOMALY_REPEAT_DAYS = 30
    june = [apply(dt.datetime(2026, 6, day, 10, tzinfo=JAKARTA)) for day in (22, 29)]
    july = apply(at(3, 10))
    unit = Unit.objects.get(code="dpmptsp")
    services.refresh_flags(unit=unit, month=JULY)
    repeated = AnomalyFlag.objects.filter(unit=unit, month=JULY, rule="repeated_applications")
    assert [r.tracking_number for r in repeated] == [july.tracking_number]
    assert all(c.tracking_number not in {r.tracking_number for r in repeated} for c in june)


@pytest.mark.django_db
def test_applications_of_different_people_are_not_repeats(demo: object, settings) -> None:
    settings.LOKET_ANOMALY_REPEATS = 3
    for day in (1, 2):
        apply(at(day, 10))
    Case.objects.update(applicant_nik_hash="another-keyed-hash")
    apply(at(3, 10))  # the same NIK as the first two, whose hashes now differ
    unit = Unit.objects.get(code="dpmptsp")
    services.refresh_flags(unit=unit, month=JULY)
    assert not AnomalyFlag.objects.filter(rule="repeated_applications").exists()
