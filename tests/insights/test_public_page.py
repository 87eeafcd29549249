"""The public Kinerja Layanan page: figures per service and month, no officer-level data."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.cases.models import Case
from loket.catalog.models import Service
from loket.insights import services
from loket.org.models import Officer, Unit
from loket.surveys import services as surveys
from tests.insights.conftest import at
from tests.surveys.conftest import period as survey_period  # noqa: F401
from tests.surveys.test_pages import HAND_WORKED, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(demo: object) -> Unit:
    return Unit.objects.get(code="dpmptsp")


@pytest.fixture
def url(july_cases: tuple[Case, Case]) -> str:
    services.refresh_recent(now=at(31, 20))
    agency = Service.objects.get(code="izin-usaha-mikro").agency
    return f"/kinerja/{agency.code}/"


def test_public_page_shows_volume_sla_and_median_per_month(client: Client, url: str) -> None:
    page = client.get(url, {"bulan": "2026-07"})
    assert page.status_code == 200
    block = next(b for b in page.context["blocks"] if b["item"].service.code == "izin-usaha-mikro")
    july = dict(block["table"])[at(1).date()]
    assert (july.submitted, july.decided, july.sla_percent) == (2, 2, 50.0)
    html = page.content.decode()
    assert "<svg" in html and "3,56" in html  # the median, in Indonesian number format


def test_public_page_carries_no_officer_or_applicant_data(client: Client, url: str) -> None:
    html = client.get(url, {"bulan": "2026-07"}).content.decode()
    for officer in Officer.objects.all():
        assert officer.name not in html
        assert officer.nip not in html
    for case in Case.objects.all():
        assert case.tracking_number not in html
        assert case.applicant_name not in html


def test_published_ikm_is_shown_and_a_draft_is_not(
    client: Client,
    url: str,
    survey_period,  # noqa: F811
) -> None:
    fill(survey_period, HAND_WORKED)
    assert b"public-ikm" not in client.get(url).content
    result = surveys.publish_result(period=survey_period)
    page = client.get(url).content.decode()
    assert 'data-testid="public-ikm"' in page
    assert survey_period.name in page
    assert str(result.ikm).replace(".", ",") in page


def test_unknown_agency_is_404(client: Client, demo: object) -> None:
    assert client.get("/kinerja/tidak-ada/").status_code == 404


def test_malformed_month_is_400_naming_the_field(client: Client, url: str) -> None:
    page = client.get(url, {"bulan": "2026-13"})
    assert page.status_code == 400
    assert b"bulan" in page.content
