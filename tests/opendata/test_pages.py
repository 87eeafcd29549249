"""The open-data page: browse, search, preview, download, licence, indicator metadata."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from loket.opendata import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(demo: Any) -> None:
    services.publish_all()


def test_index_lists_datasets_and_filters_by_topic_and_words(
    published: None, client: Client
) -> None:
    everything = client.get("/data/").content.decode()
    assert "Katalog Layanan dan Standar Pelayanan" in everything
    assert "Penanganan Pengaduan" in everything
    topic = client.get("/data/", {"theme": "pengaduan"}).content.decode()
    assert "Penanganan Pengaduan" in topic
    assert "Katalog Layanan dan Standar Pelayanan" not in topic
    words = client.get("/data/", {"q": "kepuasan"}).content.decode()
    assert "Indeks Kepuasan Masyarakat" in words
    assert "Katalog Layanan" not in words
    other = client.get("/data/", {"organisation": "tidak-ada"}).content.decode()
    assert "Penanganan Pengaduan" not in other


def test_dataset_page_shows_indicator_metadata_licence_preview_and_downloads(
    published: None, client: Client, settings: Any
) -> None:
    settings.LOKET_OPENDATA_LICENSE_TITLE = "Lisensi Uji Coba"
    response = client.get("/data/kota-contoh-katalog-layanan/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lisensi Uji Coba" in page
    assert "Pratinjau" in page  # the page speaks Indonesian by default
    assert "ditampilkan sebagai “&lt;5”" in page  # the suppression threshold, documented
    assert "Tolok ukur penyelenggaraan pelayanan" in page  # definisi (MS-Ind)
    assert "izin-usaha-mikro" in page  # a preview row
    assert 'href="/data/kota-contoh-katalog-layanan.csv"' in page
    assert 'href="/data/kota-contoh-katalog-layanan.json"' in page


def test_unknown_dataset_page_is_not_found(published: None, client: Client) -> None:
    assert client.get("/data/tidak-ada/").status_code == 404
