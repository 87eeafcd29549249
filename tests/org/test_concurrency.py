from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from loket.core.errors import ValidationError
from loket.org.models import Appointment, Capacity
from loket.org.services import appoint
from tests.org.factories import OfficerFactory, PositionFactory


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_definitive_appointments_cannot_both_win() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database with real concurrent transactions")
    position = PositionFactory(is_head=True)
    officers = [OfficerFactory(agency=position.agency) for _ in range(2)]
    barrier = threading.Barrier(len(officers))
    outcomes: list[str] = []

    def appoint_in_own_connection(officer) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            appoint(
                officer=officer,
                position=position,
                capacity=Capacity.DEFINITIVE,
                start_date=dt.date(2026, 1, 1),
            )
            outcomes.append("appointed")
        except ValidationError:
            outcomes.append("rejected")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=appoint_in_own_connection, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["appointed", "rejected"]
    assert Appointment.objects.filter(position=position).count() == 1
