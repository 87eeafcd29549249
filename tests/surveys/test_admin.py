"""Agencies define survey periods in the admin; published results cannot be edited there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from loket.catalog.models import Service
from loket.org.models import Unit
from loket.surveys import services
from loket.surveys.models import SurveyPeriod, Tally
from tests.helpers import login_with_second_factor
from tests.surveys.test_pages import HAND_WORKED, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(demo) -> Client:
    client = Client()
    user = get_user_model().objects.create_superuser("root", "root@example.go.id", "x-Pass-1234")
    login_with_second_factor(client, user)
    return client


def form(unit: Unit, service: Service | None = None) -> dict[str, str]:
    return {
        "unit": str(unit.pk),
        "service": str(service.pk) if service else "",
        "code": "2026-t1",
        "name": "Triwulan I 2026",
        "starts_on": "2026-01-01",
        "ends_on": "2026-03-31",
        "population": "",
        "weight_mode": "exact",
    }


def test_a_period_defined_in_the_admin_counts_its_responses(admin_client: Client) -> None:
    unit = Unit.objects.get(code="dpmptsp")

    page = admin_client.post("/admin/surveys/surveyperiod/add/", form(unit))

    assert page.status_code == 302
    period = SurveyPeriod.objects.get()
    assert period.agency_id == unit.agency_id
    assert Tally.objects.filter(period=period).exists()


def test_a_service_of_another_unit_is_refused_naming_the_field(admin_client: Client) -> None:
    other = Unit.objects.get(code="bapenda")
    service = Service.objects.get(code="izin-usaha-mikro")  # a DPMPTSP service

    page = admin_client.post("/admin/surveys/surveyperiod/add/", form(other, service))

    assert page.status_code == 200
    assert "service" in page.context["adminform"].form.errors
    assert not SurveyPeriod.objects.exists()


def test_published_results_are_read_only(admin_client: Client, period) -> None:
    fill(period, HAND_WORKED)
    result = services.publish_result(period=period)

    assert admin_client.get(f"/admin/surveys/result/{result.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/surveys/result/{result.pk}/change/", {}).status_code == 403
    assert admin_client.get("/admin/surveys/result/add/").status_code == 403
