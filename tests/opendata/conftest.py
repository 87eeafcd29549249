"""Open-data fixtures: the demo agency, cases and complaints with recognisable personal data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from loket.complaints.categories import load_dir


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_extras() -> tuple[Any, ...]:
    """The complaint categories, loaded with the demo agency (tests/conftest.py `demo`)."""
    return (load_dir,)


# Recognisable personal data: none of it may appear in any published resource.
APPLICANTS = [
    ("Kartika Purnamasari", "3273055504900003", "kartika.purnama@contoh.id", "081311112222"),
    ("Bambang Sutrisnohadi", "3273050101800007", "bambang.sutris@contoh.id", "081322223333"),
]
REPORTER = ("Wulan Anggraeni Siregar", "wulan.siregar@contoh.id", "085677778888")
COMPLAINT_TEXT = "Petugas loket meminta uang rokok sebelum berkas diterima"


@pytest.fixture
def seeded(demo: Any) -> dict[str, list[str]]:
    """Cases and complaints with recognisable personal data; returns what must never leak."""
    from tests.cases.conftest import post_application
    from tests.complaints.conftest import file

    tracking = []
    for name, nik, email, phone in APPLICANTS:
        response = post_application(
            Client(), applicant_name=name, nik=nik, email=email, phone=phone
        )
        assert response.status_code == 201, response.content
        tracking.append(response.json()["tracking_number"])
    reporter, reporter_email, reporter_phone = REPORTER
    filing = file(
        name=reporter, email=reporter_email, phone=reporter_phone, description=COMPLAINT_TEXT
    )
    tracking.append(filing.complaint.tracking_number)
    secrets = [value for applicant in APPLICANTS for value in applicant]
    secrets += [*REPORTER, COMPLAINT_TEXT, *tracking]
    return {"secrets": secrets}
