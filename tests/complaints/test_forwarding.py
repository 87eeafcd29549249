"""Disposisi: forwarding to another unit or to another agency on the same installation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from loket.complaints import selectors, services
from loket.complaints.categories import load_file
from loket.complaints.models import Status, Tier
from loket.core.errors import AuthorityError, ValidationError
from loket.org.models import Capacity, Position
from tests.complaints.conftest import at, file, officer, reload
from tests.org.factories import AppointmentFactory, OfficerFactory, PositionFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(demo: Any, tmp_path: Path) -> Any:
    """A second agency on the installation that takes complaints, with one officer."""
    unit = UnitFactory(agency__code="provinsi-contoh", code="inspektorat", name="Inspektorat")
    admin = PositionFactory(unit=unit, code="admin-pengaduan-prov", title="Admin Pengaduan")
    holder = OfficerFactory(agency=unit.agency, name="Tono")
    AppointmentFactory(
        officer=holder, position=admin, capacity=Capacity.DEFINITIVE, start_date=dt.date(2025, 1, 1)
    )
    path = tmp_path / "provinsi.yaml"
    path.write_text(
        "agency: provinsi-contoh\njurisdiction_id: provinsicontoh.go.id\n"
        "admin_position: admin-pengaduan-prov\ncategories:\n"
        "  - code: umum\n    name: Umum\n    unit: inspektorat\n    handler: admin-pengaduan-prov\n"
    )
    load_file(path)
    return {"position": admin, "officer": holder}


def _verified(now: dt.datetime) -> Any:
    complaint = file(now=now).complaint
    services.verify(
        complaint_id=complaint.pk, officer=officer("andi"), tier=Tier.NORMATIVE, now=now
    )
    return reload(complaint)


def test_forward_to_another_agency_keeps_the_clock_and_a_read_only_copy(province: Any) -> None:
    complaint = _verified(at(2))
    due = complaint.due_at
    services.forward(
        complaint_id=complaint.pk,
        officer=officer("dewi"),
        position_id=province["position"].pk,
        reason="Kewenangan inspektorat provinsi.",
        now=at(3),
    )
    complaint = reload(complaint)
    assert complaint.status == Status.FORWARDED
    assert complaint.agency.code == "provinsi-contoh"
    assert complaint.origin_agency.code == "kota-contoh"
    assert complaint.due_at == due  # the clock continues at the receiver
    # The receiver acts; the origin's administrators keep a read-only view.
    receiver = selectors.officer_view(province["officer"], complaint.pk)
    assert receiver is not None and receiver.may_act
    origin = selectors.officer_view(officer("andi"), complaint.pk)
    assert origin is not None and not origin.may_act and not origin.may_see_contact
    with pytest.raises(AuthorityError):
        services.answer(
            complaint_id=complaint.pk, officer=officer("dewi"), text="Kami jawab dari kota saja."
        )
    services.answer(
        complaint_id=complaint.pk,
        officer=province["officer"],
        text="Inspektorat telah memeriksa dan menegur petugas.",
    )
    assert reload(complaint).status == Status.ANSWERED


def test_forward_within_the_agency_moves_the_queue(demo: Any) -> None:
    complaint = _verified(at(2))
    target = Position.objects.get(code="analis-tata-ruang")
    services.forward(
        complaint_id=complaint.pk,
        officer=officer("dewi"),
        position_id=target.pk,
        reason="Menyangkut reklame, bukan perizinan.",
    )
    complaint = reload(complaint)
    assert complaint.unit.code == "bidang-tata-ruang"
    assert [c.pk for c in selectors.queue_for(officer("rudi"))] == [complaint.pk]
    assert list(selectors.queue_for(officer("dewi"))) == []


def test_forward_to_an_agency_without_complaints_is_refused(demo: Any) -> None:
    complaint = _verified(at(2))
    elsewhere = PositionFactory(unit__agency__code="dinas-lain")
    with pytest.raises(ValidationError) as refused:
        services.forward(
            complaint_id=complaint.pk,
            officer=officer("dewi"),
            position_id=elsewhere.pk,
            reason="Coba ke dinas lain saja.",
        )
    assert refused.value.field == "position"
