from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from loket.org.models import Appointment, Capacity, Position
from loket.org.services import appoint
from tests.conftest import english_client
from tests.helpers import login_with_second_factor
from tests.org.factories import OfficerFactory, PositionFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def admin_client_() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.go.id", None)
    client = english_client()
    login_with_second_factor(client, user)
    return client


@pytest.fixture
def position() -> Position:
    return PositionFactory(title="Kepala Bidang Perizinan", is_head=True)


def appointment_form(officer, position, capacity, start, end=""):  # type: ignore[no-untyped-def]
    return {
        "officer": officer.pk,
        "position": position.pk,
        "capacity": capacity,
        "start_date": start,
        "end_date": end,
        "decree_number": "",
    }


def test_admin_refuses_an_overlapping_definitive_appointment(
    admin_client_: Client, position: Position
) -> None:
    appoint(
        officer=OfficerFactory(agency=position.agency, name="Budi Santoso"),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 1),
    )
    rival = OfficerFactory(agency=position.agency)

    response = admin_client_.post(
        reverse("admin:org_appointment_add"),
        appointment_form(rival, position, "definitive", "2026-05-01"),
    )

    assert response.status_code == 200
    assert "Budi Santoso" in response.content.decode()
    assert not Appointment.objects.filter(officer=rival).exists()


def test_admin_refuses_a_plt_while_the_position_has_a_holder(
    admin_client_: Client, position: Position
) -> None:
    appoint(
        officer=OfficerFactory(agency=position.agency),
        position=position,
        capacity=Capacity.DEFINITIVE,
        start_date=D(2026, 1, 1),
    )
    acting = OfficerFactory(agency=position.agency)

    response = admin_client_.post(
        reverse("admin:org_appointment_add"),
        appointment_form(acting, position, "plt", "2026-05-01", "2026-05-31"),
    )

    assert response.status_code == 200
    assert not Appointment.objects.filter(officer=acting).exists()


def test_admin_accepts_a_valid_appointment(admin_client_: Client, position: Position) -> None:
    officer = OfficerFactory(agency=position.agency)

    response = admin_client_.post(
        reverse("admin:org_appointment_add"),
        appointment_form(officer, position, "definitive", "2026-01-01"),
    )

    assert response.status_code == 302
    assert Appointment.objects.filter(officer=officer, position=position).exists()


def test_admin_refuses_an_officer_with_an_invalid_nip(admin_client_: Client) -> None:
    existing = OfficerFactory()
    user = get_user_model().objects.create_user("another")

    response = admin_client_.post(
        reverse("admin:org_officer_add"),
        {
            "user": user.pk,
            "agency": existing.agency.pk,
            "nip": "198503122010013001",
            "name": "Salah NIP",
            "is_active": "on",
            "appointments-TOTAL_FORMS": "0",
            "appointments-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "Digit 15" in response.content.decode()


def test_position_page_shows_the_current_holders(admin_client_: Client, position: Position) -> None:
    holder = OfficerFactory(agency=position.agency, name="Siti Aminah")
    appoint(officer=holder, position=position, capacity="definitive", start_date=D(2020, 1, 1))

    response = admin_client_.get(reverse("admin:org_position_change", args=[position.pk]))

    assert response.status_code == 200
    assert "Siti Aminah" in response.content.decode()


def test_officer_page_lists_the_officers_appointments(
    admin_client_: Client, position: Position
) -> None:
    officer = OfficerFactory(agency=position.agency)
    appoint(officer=officer, position=position, capacity="definitive", start_date=D(2020, 1, 1))

    response = admin_client_.get(reverse("admin:org_officer_change", args=[officer.pk]))

    assert response.status_code == 200
    assert "Kepala Bidang Perizinan" in response.content.decode()


def test_unit_page_adds_positions_to_the_units_agency(admin_client_: Client) -> None:
    unit = UnitFactory()
    data = {
        "agency": unit.agency.pk,
        "parent": "",
        "code": unit.code,
        "name": unit.name,
        "name_en": "",
        "positions-TOTAL_FORMS": "1",
        "positions-INITIAL_FORMS": "0",
        "positions-0-code": "kabid",
        "positions-0-title": "Kepala Bidang",
        "positions-0-title_en": "",
        "positions-0-is_head": "on",
        "positions-0-is_single_holder": "on",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
    }

    response = admin_client_.post(reverse("admin:org_unit_change", args=[unit.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Position.objects.get(code="kabid").agency == unit.agency


@pytest.mark.parametrize("model", ["agency", "unit", "position", "officer", "appointment"])
def test_admin_lists_open(admin_client_: Client, model: str) -> None:
    OfficerFactory()
    PositionFactory()

    response = admin_client_.get(reverse(f"admin:org_{model}_changelist"))

    assert response.status_code == 200
