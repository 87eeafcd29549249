"""Accounts for tests: applicants and officers with a password (and a TOTP device)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django_otp.plugins.otp_totp.models import TOTPDevice

from loket.org.models import Officer, Position
from loket.workspace.otp import demo_totp_key
from tests.org.factories import AppointmentFactory, OfficerFactory, PositionFactory, UserFactory

PASSWORD = "kopi-tubruk-2026"


def make_applicant(
    email: str = "sari@example.id", *, password: str = PASSWORD, active: bool = True
) -> AbstractUser:
    user = get_user_model().objects.create_user(
        username=email.lower(), email=email.lower(), password=password, first_name="Sari Dewi"
    )
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@dataclass
class OfficerAccount:
    user: AbstractUser
    officer: Officer
    position: Position
    device: TOTPDevice | None


def make_officer(
    username: str = "andi", *, password: str = PASSWORD, enrolled: bool = True
) -> OfficerAccount:
    """An officer holding one position since 2024; `enrolled` gives a confirmed TOTP device
    with the demo secret for `username`, so tests can compute its codes."""
    user = UserFactory(username=username, email=f"{username}@example.go.id")
    user.set_password(password)
    user.save()
    position = PositionFactory(title="Analis Perizinan", title_en="Licensing Analyst")
    officer = OfficerFactory(user=user, agency=position.agency, name=f"{username.title()} Pratama")
    AppointmentFactory(officer=officer, position=position, start_date=dt.date(2024, 1, 2))
    device = None
    if enrolled:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator", key=demo_totp_key(username), confirmed=True
        )
    return OfficerAccount(user=user, officer=officer, position=position, device=device)
