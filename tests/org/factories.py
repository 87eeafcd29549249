"""Factories for the organisation chart. Import from `tests.org.factories` in any app's tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from loket.org.models import Agency, Appointment, Capacity, Officer, Position, Unit


def build_nip(
    *, birth_date: dt.date, appointed_year: int, appointed_month: int, sex: int = 1, serial: int = 1
) -> str:
    """An 18-digit NIP from its parts: YYYYMMDD YYYYMM S NNN."""
    return f"{birth_date:%Y%m%d}{appointed_year:04d}{appointed_month:02d}{sex}{serial:03d}"


def nip_for(n: int) -> str:
    """A valid NIP, distinct for every n below 12 000 (7919 is coprime with 12 000)."""
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=(n * 7919) % 12000)
    return build_nip(
        birth_date=birth,
        appointed_year=birth.year + 23,
        appointed_month=birth.month,
        sex=1 + n % 2,
        serial=n % 999 + 1,
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"officer{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.go.id")
    is_active = True


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Dinas Contoh {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    parent = None
    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Bidang {n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    unit = factory.SubFactory(UnitFactory)
    agency = factory.SelfAttribute("unit.agency")
    code = factory.Sequence(lambda n: f"position-{n}")
    title = factory.Sequence(lambda n: f"Kepala Seksi {n}")
    is_head = False
    is_single_holder = True


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    nip = factory.Sequence(nip_for)
    name = factory.Sequence(lambda n: f"Petugas {n}")
    is_active = True


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A stored appointment, bypassing the checks; use `loket.org.services.appoint` to test them."""

    class Meta:
        model = Appointment

    position = factory.SubFactory(PositionFactory)
    officer = factory.SubFactory(OfficerFactory, agency=factory.SelfAttribute("..position.agency"))
    capacity = Capacity.DEFINITIVE
    start_date = dt.date(2026, 1, 1)
    end_date = None
