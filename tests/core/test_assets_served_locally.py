"""Pages must work on a closed network: every script and stylesheet comes from the app."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

EXTERNAL_ASSET = re.compile(r"""(?:src|href)=["']https?://[^"']+\.(?:js|css|svg|png)""")


@pytest.mark.parametrize("path", ["/", "/api/v1/docs", "/lacak/", "/workspace/login/"])
def test_page_loads_no_asset_from_another_host(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert not EXTERNAL_ASSET.findall(response.content.decode())


def test_unknown_page_gets_a_helpful_404_in_indonesian(client: Client) -> None:
    response = client.get("/layanan/tidak-ada/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Halaman tidak ditemukan" in body
    assert 'href="/lacak/"' in body
