"""The public list's per-unit counters equal a recount after every kind of transition,
and reading them costs the same queries at any size."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from loket.complaints import counts, selectors, services
from loket.complaints.models import RESOLVED_STATUSES, Complaint, Status, Tier, UnitCount
from loket.core.errors import ConflictError
from loket.org.models import Position
from tests.bench.test_query_counts import queries_of
from tests.complaints.conftest import at, file, officer, reload
from tests.complaints.test_forwarding import province  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _recount(now: dt.datetime) -> dict[str, tuple[int, int, int]]:
    """The per-unit numbers straight from the complaints (what the counters replace)."""
    result: dict[str, list[int]] = {}
    for c in Complaint.objects.select_related("unit"):
        row = result.setdefault(c.unit.name, [0, 0, 0])
        row[0] += 1
        row[1] += int(c.status in RESOLVED_STATUSES and c.answered_on_time is True)
        row[2] += int(c.is_overdue_at(now))
    return {name: tuple(row) for name, row in result.items() if row[0]}  # type: ignore[misc]


def _shown(now: dt.datetime) -> dict[str, tuple[int, int, int]]:
    return {
        r.unit_name: (r.received, r.resolved_on_time, r.overdue)
        for r in selectors.counts_per_unit(now)
    }


def _agree(now: dt.datetime) -> dict[str, tuple[int, int, int]]:
    shown = _shown(now)
    assert shown == _recount(now)
    assert counts.drift() == {}
    return shown


PERIZINAN = "Bidang Pelayanan Perizinan"


def test_counts_follow_every_transition(demo: Any) -> None:
    andi, dewi = officer("andi"), officer("dewi")
    # File: a plain, a confidential (rahasia) and an anonymous (anonim) complaint.
    plain = file(now=at(2)).complaint
    secret = file(now=at(2), is_confidential=True).complaint
    anon = file(now=at(2), is_anonymous=True).complaint
    assert _agree(at(2, 10))[PERIZINAN] == (3, 0, 0)
    # Verification due 5 March: overdue passes with time alone, with no event.
    assert _agree(at(6))[PERIZINAN] == (3, 0, 3)
    services.verify(complaint_id=plain.pk, officer=andi, tier=Tier.LIGHT, now=at(2, 11))
    services.verify(complaint_id=secret.pk, officer=andi, tier=Tier.NORMATIVE, now=at(2, 11))
    _agree(at(2, 12))
    # Ask and supply information: the clock pauses (not overdue while paused).
    services.ask_information(
        complaint_id=anon.pk, officer=andi, question="Di loket mana kejadiannya?", now=at(3)
    )
    assert _agree(at(20))[PERIZINAN][2] == 2  # plain and secret overdue, anon paused
    services.supply_information(complaint_id=anon.pk, text="Loket 3.", now=at(3, 11))
    services.reject(
        complaint_id=anon.pk,
        officer=andi,
        reason="Bukan kewenangan Pemerintah Kota Contoh.",
        now=at(3, 12),
    )
    _agree(at(3, 13))
    # Answer on time: resolved on time from the answer on.
    services.start_follow_up(complaint_id=plain.pk, officer=dewi, now=at(3))
    services.answer(complaint_id=plain.pk, officer=dewi, text="Izin Anda telah terbit.", now=at(3))
    assert _agree(at(3, 14))[PERIZINAN] == (3, 1, 0)
    # Reopen (not satisfied): no longer resolved; answer again, then auto-close.
    services.reply(
        complaint_id=plain.pk, text="Izin saya belum terbit.", is_satisfied=False, now=at(4)
    )
    assert _agree(at(4, 10))[PERIZINAN][1] == 0
    services.answer(complaint_id=plain.pk, officer=dewi, text="Kini sudah terbit.", now=at(4, 11))
    assert _agree(at(4, 12))[PERIZINAN][1] == 1
    assert services.close_unanswered(now=at(30)) == 1
    assert reload(plain).status == Status.CLOSED
    assert _agree(at(30))[PERIZINAN][1] == 1
    # Answer late, then the complainant closes: never "on time".
    services.answer(complaint_id=secret.pk, officer=dewi, text="Maaf terlambat.", now=at(25))
    services.reply(complaint_id=secret.pk, text="Baik.", is_satisfied=True, now=at(25, 11))
    assert reload(secret).status == Status.CLOSED
    assert _agree(at(26))[PERIZINAN] == (3, 1, 0)


def test_forwarding_moves_the_count_between_units_and_agencies(province: Any) -> None:  # noqa: F811
    complaint = file(now=at(2)).complaint
    services.verify(
        complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.NORMATIVE, now=at(2)
    )
    services.forward(
        complaint_id=complaint.pk,
        officer=officer("dewi"),
        position_id=Position.objects.get(code="analis-tata-ruang").pk,
        reason="Menyangkut reklame, bukan perizinan.",
        now=at(2, 10),
    )
    shown = _agree(at(2, 11))
    assert PERIZINAN not in shown and shown["Bidang Tata Ruang"][0] == 1
    services.forward(
        complaint_id=complaint.pk,
        officer=officer("rudi"),
        position_id=province["position"].pk,
        reason="Kewenangan inspektorat provinsi.",
        now=at(2, 12),
    )
    shown = _agree(at(30))
    assert shown == {"Inspektorat": (1, 0, 1)}
    services.answer(
        complaint_id=complaint.pk, officer=province["officer"], text="Sudah ditegur.", now=at(30)
    )
    assert _agree(at(30, 10)) == {"Inspektorat": (1, 0, 0)}


def test_raise_tier_escalation_and_archive_keep_counts(demo: Any) -> None:
    complaint = file(now=at(2)).complaint
    services.verify(complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.LIGHT, now=at(2))
    services.raise_tier(
        complaint_id=complaint.pk,
        officer=officer("dewi"),
        tier=Tier.SUPERVISORY,
        reason="Perlu pemeriksaan inspektorat.",
        now=at(2, 10),
    )
    late = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    assert services.escalate_overdue(now=late) == 1
    assert _agree(late)[PERIZINAN] == (1, 0, 1)
    services.answer(complaint_id=complaint.pk, officer=officer("dewi"), text="Terlambat.", now=late)
    services.reply(complaint_id=complaint.pk, text="Baik.", is_satisfied=True, now=late)
    services.archive(complaint_id=complaint.pk, officer=officer("andi"), now=late)
    assert reload(complaint).status == Status.ARCHIVED
    assert _agree(late)[PERIZINAN] == (1, 0, 0)


def test_drift_check_and_repair(demo: Any) -> None:
    # Complaints are never deleted (their events protect them): only writes that skip
    # save() can make the counters drift.
    first = file().complaint
    file()
    # A write that skips save() (a bulk update) is caught by the check and repaired.
    Complaint.objects.filter(pk=first.pk).update(
        unit_id=Position.objects.get(code="analis-tata-ruang").unit_id
    )
    assert counts.drift() != {}
    with pytest.raises(CommandError, match="drifted"):
        call_command("complaint-counts", "check", stdout=StringIO())
    out = StringIO()
    call_command("complaint-counts", "repair", stdout=out)
    assert "2 unit(s)" in out.getvalue()
    out = StringIO()
    call_command("complaint-counts", "check", stdout=out)
    assert "match" in out.getvalue()
    _agree(at(2))


def test_a_failed_transition_moves_no_counter(demo: Any) -> None:
    complaint = file().complaint
    before = list(UnitCount.objects.values_list("unit_id", "received", "resolved_on_time"))
    with pytest.raises(ConflictError):  # not verified yet
        services.answer(
            complaint_id=complaint.pk,
            officer=officer("dewi"),
            text="Sudah kami periksa di lapangan.",
        )
    assert list(UnitCount.objects.values_list("unit_id", "received", "resolved_on_time")) == before


def test_counts_cost_two_queries_at_any_size(demo: Any) -> None:
    file(now=at(2))
    small = queries_of(lambda: selectors.counts_per_unit(at(20)))
    for _ in range(20):
        file(now=at(2), is_confidential=True)
    services.verify(
        complaint_id=file(now=at(2)).complaint.pk, officer=officer("andi"), tier=Tier.LIGHT
    )
    large = queries_of(lambda: selectors.counts_per_unit(at(20)))
    assert small == large == 2


def test_overdue_walks_the_deadline_indexes_not_the_table(demo: Any) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the plan is checked on SQLite; PostgreSQL plans by table size")
    for _ in range(5):
        file(now=at(2))
    sql, params = counts.overdue_sql(at(20))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    assert "complaint_status_verify_unit" in plan and "complaint_status_due_unit" in plan, plan
    assert "SCAN complaints_complaint" not in plan, plan
