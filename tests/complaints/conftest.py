"""Fixtures for complaints: the demo agency, its complaint categories, signed-in officers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from loket.complaints import services
from loket.complaints.categories import load_dir
from loket.complaints.models import Complaint
from loket.org.models import Officer
from loket.workspace.otp import confirmed_devices


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_extras() -> tuple[Any, ...]:
    """The complaint categories, loaded with the demo agency (tests/conftest.py `demo`)."""
    return (load_dir,)


def officer(username: str) -> Officer:
    return Officer.objects.select_related("user").get(user__username=username)


def at(day: int, hour: int = 9, month: int = 3) -> dt.datetime:
    """A moment in 2026 in the agency's time zone (Asia/Jakarta)."""
    return timezone.make_aware(dt.datetime(2026, month, day, hour, 0))


def file(
    *,
    category: str = "pelayanan-perizinan",
    now: dt.datetime | None = None,
    **fields: Any,
) -> services.Filing:
    agency_id = fields.pop("agency_id", None)
    if agency_id is None:
        from loket.org.models import Agency

        agency_id = Agency.objects.get(code="kota-contoh").pk
    attributes = fields.pop("attributes", {"jenis_masalah": "terlambat"})
    filed = services.Filed(
        category_code=category,
        description=fields.pop("description", "Izin saya melewati batas waktu tanpa kabar."),
        attributes=attributes,
        **{"name": "Sri Wahyuni", "email": "sri@example.id", "phone": "081234567890", **fields},
    )
    return services.file_complaint(agency_id=agency_id, filed=filed, now=now)


def reload(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


@pytest.fixture
def officer_client() -> Any:
    """A test client signed in as a demo officer with the second factor passed."""

    def make(username: str) -> Client:
        client = Client()
        user = officer(username).user
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = confirmed_devices(user)[0].persistent_id
        session.save()
        return client

    return make


def file_seven_public() -> list[str]:
    """Seven public complaints (three received at the same moment, to test ties in a
    keyset) and a confidential one; the public tracking numbers newest first."""
    from loket.complaints.models import Complaint

    for day, hour in ((2, 9), (3, 9), (3, 9), (3, 9), (4, 9), (5, 9), (6, 9)):
        file(now=at(day, hour))
    file(now=at(4, 10), is_confidential=True)
    return list(
        Complaint.objects.filter(is_confidential=False)
        .order_by("-received_at", "-pk")
        .values_list("tracking_number", flat=True)
    )
