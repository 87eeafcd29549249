"""The catalogue is cached per process against a revision that publishing and
withdrawing move: a replaced or withdrawn version is never served, and a cached
read costs one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from loket.catalog.models import Service
from loket.catalog.services import publish_file, publish_text, withdraw
from loket.org.models import Agency, Unit

from .conftest import SERVICES_DIR, demo_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(kota_contoh: Agency) -> None:
    for path in sorted(SERVICES_DIR.glob("*.yaml")):
        publish_file(path)


def _listed(client: Client) -> dict[str, int]:
    return {s["code"]: s["version"] for s in client.get("/api/v1/services").json()}


def _portal_codes(client: Client) -> set[str]:
    page = client.get("/").content.decode()
    return {code for code in ("izin-usaha-mikro", "izin-reklame") if f"/{code}/" in page}


def test_a_withdrawn_service_is_never_served_from_the_cached_catalogue(
    client: Client, published: None
) -> None:
    assert "izin-reklame" in _listed(client)  # cached now
    assert "izin-reklame" in _portal_codes(client)

    withdraw(service=Service.objects.get(code="izin-reklame"))

    assert "izin-reklame" not in _listed(client)
    assert "izin-reklame" not in _portal_codes(client)


def test_a_replaced_version_is_never_served_from_the_cached_catalogue(
    client: Client, published: None
) -> None:
    assert _listed(client)["izin-usaha-mikro"] == 1

    publish_text(demo_text("izin-usaha-mikro").replace("working_days: 5", "working_days: 4"))

    by_code = {s["code"]: s for s in client.get("/api/v1/services").json()}
    assert by_code["izin-usaha-mikro"]["version"] == 2
    assert by_code["izin-usaha-mikro"]["deadline"]["working_days"] == 4


def test_an_admin_edit_of_a_unit_name_reaches_the_catalogue(
    client: Client, published: None
) -> None:
    _listed(client)
    unit = Unit.objects.get(agency__code="kota-contoh", code="dpmptsp")
    unit.name = "Dinas Penanaman Modal (baru)"
    unit.save()

    names = {
        s["unit"]["name"]["id"]
        for s in client.get("/api/v1/services").json()
        if s["unit"]["code"] == "dpmptsp"
    }
    assert names == {"Dinas Penanaman Modal (baru)"}


def test_a_cached_catalogue_read_costs_one_query(client: Client, published: None) -> None:
    client.get("/api/v1/services")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/services")
    assert response.status_code == 200
    catalogue = [q["sql"] for q in queries.captured_queries if "catalog_" in q["sql"]]
    assert len(catalogue) == 1, catalogue  # the revision; nothing decoded again
