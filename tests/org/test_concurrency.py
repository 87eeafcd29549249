from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from loket.core.errors import ValidationError
from loket.org.models import Appointment, Capacity
from loket.org.services import appoint
from tests.conftest import english_client
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


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_admins_appointing_at_once_cannot_both_pass_the_single_holder_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The admin's form locks the position like `services.appoint`: the checks of the
    second admin wait for the first one's save and then see it."""
    import time

    from django.contrib.auth import get_user_model
    from django.test import Client

    from loket.org import checks
    from tests.helpers import login_with_second_factor

    if connection.vendor != "postgresql":
        pytest.skip("needs a server database with real concurrent transactions")
    position = PositionFactory(is_head=True)
    officers = [OfficerFactory(agency=position.agency) for _ in range(2)]
    clients = []
    for index in range(2):
        user = get_user_model().objects.create_superuser(f"root{index}", f"r{index}@x.go.id", None)
        client = english_client()
        login_with_second_factor(client, user)
        clients.append(client)

    original = checks.check_appointment

    def slow_check(appointment: Appointment) -> None:
        original(appointment)
        time.sleep(0.5)  # widen the window between the check and the save

    monkeypatch.setattr(checks, "check_appointment", slow_check)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            response = client.post(
                "/admin/org/appointment/add/",
                {
                    "officer": officer.pk,
                    "position": position.pk,
                    "capacity": Capacity.DEFINITIVE,
                    "start_date": "2026-01-01",
                    "end_date": "",
                    "decree_number": "",
                },
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=(c, o)) for c, o in zip(clients, officers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 302]  # one saved, one shown again with the error
    assert Appointment.objects.filter(position=position).count() == 1
