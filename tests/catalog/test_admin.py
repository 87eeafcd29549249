"""Published versions are read-only in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from loket.catalog.services import publish_text
from loket.org.models import Agency
from tests.helpers import login_with_second_factor

from .conftest import demo_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    user = get_user_model().objects.create_superuser("admin", "admin@example.go.id", "x-Pass-1234")
    login_with_second_factor(client, user)
    return client


def test_version_page_shows_source_and_cannot_be_saved_or_deleted(
    admin_client: Client, kota_contoh: Agency
) -> None:
    version = publish_text(demo_text("izin-usaha-mikro")).version
    url = f"/admin/catalog/serviceversion/{version.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b"Fasilitasi Pendaftaran NIB Usaha Mikro" in page.content and b"<pre" in page.content
    assert b'name="_save"' not in page.content
    assert admin_client.post(url, {"number": 9}).status_code == 403
    delete = admin_client.post(
        f"/admin/catalog/serviceversion/{version.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert admin_client.get("/admin/catalog/serviceversion/add/").status_code == 403
    version.refresh_from_db()
    assert version.number == 1


def test_service_page_lists_its_versions(admin_client: Client, kota_contoh: Agency) -> None:
    version = publish_text(demo_text("izin-usaha-mikro")).version
    page = admin_client.get(f"/admin/catalog/service/{version.service.pk}/change/")
    assert page.status_code == 200
    assert version.content_hash.encode() in page.content
