"""Overdue is one shared query (the deadline indexes) for the public counts, the head's
dashboard and the escalation sweep; deleting complaints keeps the per-unit counters exact."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import ProtectedError
from django.test import RequestFactory

from loket.complaints import counts, selectors, services
from loket.complaints.models import Complaint, ComplaintEvent, Tier, UnitCount
from loket.org.models import Unit
from tests.complaints.conftest import at, file, officer, reload

pytestmark = pytest.mark.django_db


def _mixed() -> dict[str, Complaint]:
    """One complaint in each clock state, all received on 2 March (verification due 5 March)."""
    andi = officer("andi")
    made = {name: file(now=at(2)).complaint for name in ("receiving", "handling", "paused")}
    made["answered"] = file(now=at(2)).complaint
    made["tata_ruang"] = file(now=at(2), category="reklame-liar", attributes={}).complaint
    services.verify(complaint_id=made["handling"].pk, officer=andi, tier=Tier.LIGHT, now=at(2))
    services.verify(complaint_id=made["answered"].pk, officer=andi, tier=Tier.LIGHT, now=at(2))
    services.ask_information(
        complaint_id=made["paused"].pk,
        officer=andi,
        question="Di loket mana kejadiannya?",
        now=at(2, 10),
    )
    services.start_follow_up(complaint_id=made["answered"].pk, officer=officer("dewi"), now=at(3))
    services.answer(
        complaint_id=made["answered"].pk,
        officer=officer("dewi"),
        text="Izin Anda telah terbit.",
        now=at(3),
    )
    return {name: reload(c) for name, c in made.items()}


def _overdue_by_hand(now: dt.datetime, unit_ids: list[int] | None = None) -> set[int]:
    return {
        c.pk
        for c in Complaint.objects.all()
        if c.is_overdue_at(now) and (unit_ids is None or c.unit_id in unit_ids)
    }


def test_overdue_ids_match_each_complaints_own_clock(demo: Any) -> None:
    made = _mixed()
    for moment in (at(2, 12), at(6), at(30)):
        assert set(counts.overdue_ids(moment)) == _overdue_by_hand(moment)
    # On 6 March the verification clocks ran out; the light tier (2 days) too.
    assert set(counts.overdue_ids(at(6))) == {
        made["receiving"].pk,
        made["handling"].pk,
        made["tata_ruang"].pk,
    }


def test_open_counts_use_the_shared_overdue_query_per_unit(demo: Any) -> None:
    made = _mixed()
    perizinan = made["receiving"].unit_id
    assert selectors.open_counts(unit_ids=[perizinan], now=at(6)) == {"open": 4, "overdue": 2}
    assert selectors.open_counts(unit_ids=[made["tata_ruang"].unit_id], now=at(6)) == {
        "open": 1,
        "overdue": 1,
    }
    assert selectors.open_counts(unit_ids=[], now=at(6)) == {"open": 0, "overdue": 0}
    assert selectors.open_counts(unit_ids=[perizinan], now=at(2, 12))["overdue"] == 0


def test_escalation_takes_only_unescalated_overdue_complaints(demo: Any) -> None:
    made = _mixed()
    assert services.escalate_overdue(now=at(2, 12)) == 0
    assert services.escalate_overdue(now=at(6)) == 3
    assert reload(made["paused"]).escalated_at is None
    assert reload(made["answered"]).escalated_at is None
    # Already escalated: the sweep passes them by.
    assert set(counts.overdue_ids(at(7), unescalated=True)) == set()
    assert services.escalate_overdue(now=at(7)) == 0


def test_the_overdue_union_walks_both_deadline_indexes(demo: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the plan is checked on SQLite; PostgreSQL plans by table size")
    _mixed()
    unit_ids = list(Unit.objects.values_list("pk", flat=True)[:3])
    for query in (
        counts.overdue_ids(at(20), unescalated=True),
        counts.overdue_ids(at(20), unit_ids=unit_ids),
    ):
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            # No ANALYZE: at five rows the planner may rightly scan; the shape is what counts.
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
        assert "complaint_status_verify_unit" in plan, plan
        assert "complaint_status_due_unit" in plan, plan
        assert "SCAN complaints_complaint" not in plan, plan


# -- deleting ---------------------------------------------------------------------------


def _kept() -> dict[int, tuple[int, int]]:
    return counts.stored()


def _drop_history(complaints: Any) -> None:
    # Events protect their complaint: a cleanup removes them first (a bulk delete,
    # which the append-only rule of a single event does not see).
    ComplaintEvent.objects.filter(complaint__in=complaints).delete()


def test_deleting_one_complaint_takes_its_share_off(demo: Any) -> None:
    made = _mixed()
    answered = made["answered"]
    unit = answered.unit_id
    assert _kept()[unit] == (4, 1)
    _drop_history([answered])
    answered.delete()
    assert _kept()[unit] == (3, 0)
    assert counts.drift() == {}


def test_deleting_a_row_already_gone_moves_nothing(demo: Any) -> None:
    complaint = file(now=at(2)).complaint
    twin = Complaint.objects.get(pk=complaint.pk)
    _drop_history([complaint])
    complaint.delete()
    assert twin.delete()[0] == 0
    assert counts.drift() == {}
    assert UnitCount.objects.get(unit_id=complaint.unit_id).received == 0


def test_bulk_delete_moves_each_units_counters(demo: Any) -> None:
    made = _mixed()
    doomed = Complaint.objects.filter(
        pk__in=[made["answered"].pk, made["tata_ruang"].pk, made["paused"].pk]
    )
    _drop_history(doomed)
    assert doomed.delete()[0] == 3
    assert _kept() == {made["receiving"].unit_id: (2, 0)}
    assert counts.drift() == {}


def test_admin_delete_moves_the_counters(demo: Any) -> None:
    made = _mixed()
    model_admin = admin.ModelAdmin(Complaint, admin.site)
    request = RequestFactory().post("/admin/")
    _drop_history(Complaint.objects.all())
    model_admin.delete_model(request, made["receiving"])
    model_admin.delete_queryset(request, Complaint.objects.filter(unit_id=made["handling"].unit_id))
    assert _kept() == {made["tata_ruang"].unit_id: (1, 0)}
    assert counts.drift() == {}


def test_a_refused_delete_leaves_the_counters(demo: Any) -> None:
    made = _mixed()
    before = _kept()
    with pytest.raises(ProtectedError):  # the history protects the complaint
        made["receiving"].delete()
    with pytest.raises(ProtectedError):
        Complaint.objects.all().delete()
    assert Complaint.objects.count() == len(made)
    assert _kept() == before
    assert counts.drift() == {}
