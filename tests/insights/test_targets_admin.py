"""Heads set targets per unit and service in the admin, with their polarity."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from loket.catalog.models import Service
from loket.insights.models import Target
from loket.org.models import Unit
from tests.helpers import login_with_second_factor

pytestmark = pytest.mark.django_db
URL = "/admin/insights/target/add/"


@pytest.fixture
def admin_client(demo: object) -> Client:
    client = Client()
    user = get_user_model().objects.create_superuser("root", "root@example.go.id", "x-Pass-1234")
    login_with_second_factor(client, user)
    return client


def form(unit: Unit, service: Service | None = None, **overrides: str) -> dict[str, str]:
    return {
        "unit": str(unit.pk),
        "service": str(service.pk) if service else "",
        "indicator": "median_days",
        "year": "2026",
        "month": "7",
        "value": "3",
        "polarity": "lower",
        "lower_formula": "inverse",
        **overrides,
    }


def test_a_monthly_lower_is_better_target_is_saved_with_its_formula(admin_client: Client) -> None:
    unit = Unit.objects.get(code="dpmptsp")
    service = Service.objects.get(code="izin-usaha-mikro")
    assert admin_client.post(URL, form(unit, service)).status_code == 302
    target = Target.objects.get()
    assert (target.polarity, target.lower_formula, target.month) == ("lower", "inverse", 7)
    assert not target.higher_is_better


def test_lower_is_better_without_a_formula_is_refused(admin_client: Client) -> None:
    unit = Unit.objects.get(code="dpmptsp")
    page = admin_client.post(URL, form(unit, lower_formula=""))
    assert page.status_code == 200
    assert page.context["adminform"].form.errors
    assert not Target.objects.exists()


def test_a_service_of_another_unit_is_refused_naming_the_field(admin_client: Client) -> None:
    other = Unit.objects.get(code="bapenda")
    page = admin_client.post(URL, form(other, Service.objects.get(code="izin-usaha-mikro")))
    assert "service" in page.context["adminform"].form.errors
    assert not Target.objects.exists()


def test_a_second_target_for_the_same_period_is_refused(admin_client: Client) -> None:
    unit = Unit.objects.get(code="dpmptsp")
    assert (
        admin_client.post(URL, form(unit, polarity="higher", lower_formula="")).status_code == 302
    )
    page = admin_client.post(URL, form(unit, polarity="higher", lower_formula=""))
    assert page.status_code == 200
    assert Target.objects.count() == 1


def test_month_outside_the_year_is_refused(admin_client: Client) -> None:
    unit = Unit.objects.get(code="dpmptsp")
    page = admin_client.post(URL, form(unit, month="13"))
    assert page.status_code == 200
    assert not Target.objects.exists()
