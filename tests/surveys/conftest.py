"""Survey fixtures: the demo agency (its DPMPTSP unit runs izin-usaha-mikro) and an open period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from loket.org.models import Unit
from loket.surveys import services
from loket.surveys.models import SurveyPeriod
from tests.cases.conftest import token_for
from tests.workspace.conftest import _fast_password_hashing, signed_in

__all__ = ["_fast_password_hashing", "signed_in", "token_for"]


@pytest.fixture
def unit(demo: Any) -> Unit:
    return Unit.objects.get(code="dpmptsp")


@pytest.fixture
def period(unit: Unit) -> SurveyPeriod:
    """A period of the whole unit around today."""
    today = timezone.localdate()
    return services.define_period(
        unit=unit,
        code="berjalan",
        name="Periode berjalan",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
    )
