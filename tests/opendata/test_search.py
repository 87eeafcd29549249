"""Word search over the catalogue (CKAN `q`, CSW AnyText): any case, in any of title,
description, name and tags, every word required; and one reading of the match for
the count and the facets."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from loket.demo.agency import load_demo
from loket.opendata import services
from loket.opendata.models import Dataset

SEARCH = "/api/3/action/package_search"


@pytest.fixture
def catalogue(db: Any) -> None:
    load_demo()
    services.publish_all()


def _names(client: Client, **params: str) -> list[str]:
    response = client.get(SEARCH, {"sort": "name asc", **params})
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["result"]["results"]]


def test_a_word_is_found_in_any_field_in_any_case(catalogue: None, client: Client) -> None:
    complaints = ["kota-contoh-penanganan-pengaduan"]
    assert _names(client, q="PENANGANAN") == complaints  # title, upper case
    assert _names(client, q="Penanganan") == complaints
    assert _names(client, q="dijawab") == complaints  # description only
    assert _names(client, q="sp4n-lapor") == complaints  # a tag, lower case
    assert _names(client, q="signed") == ["kota-contoh-checkpoint-buku-besar"]
    assert _names(client, q="statistik-permohonan") == ["kota-contoh-statistik-permohonan"]


def test_every_word_is_required_and_none_spans_two_fields(catalogue: None, client: Client) -> None:
    assert _names(client, q="pengaduan dijawab") == ["kota-contoh-penanganan-pengaduan"]
    assert _names(client, q="pengaduan merkle") == []
    # The title ends "Pemkot Contoh" and the description begins "Jumlah": the two
    # fields joined must not make a word that is in neither.
    assert _names(client, q="contohjumlah") == []
    assert _names(client, q="ikm|survei") == []  # the tag index's separators are not text
    assert _names(client, q="50%") == []  # LIKE wildcards in a word are literal
    assert _names(client, q="_") == []


def test_the_search_text_follows_every_edit(catalogue: None, client: Client) -> None:
    dataset = Dataset.objects.get(slug="kota-contoh-penanganan-pengaduan")
    dataset.title = "Layanan Aduan Warga"
    dataset.save(update_fields=["title"])
    assert _names(client, q="aduan") == ["kota-contoh-penanganan-pengaduan"]
    dataset.keywords = ["Keluhan"]
    dataset.save(update_fields=["keywords"])
    assert _names(client, q="KELUHAN") == ["kota-contoh-penanganan-pengaduan"]
    assert _names(client, q="sp4n-lapor") == []  # the old tag is gone from the index


def test_the_migration_fills_the_search_text_of_existing_datasets(catalogue: None) -> None:
    Dataset.objects.update(search_text="")
    migration = importlib.import_module("loket.opendata.migrations.0002_dataset_search_text")
    migration.fill_search_text(apps, None)
    dataset = Dataset.objects.get(slug="kota-contoh-indeks-kepuasan-masyarakat")
    assert "indeks kepuasan masyarakat (ikm)" in dataset.search_text
    assert dataset.search_text.endswith("\nikm\nsurvei kepuasan masyarakat\nskm")


def test_count_and_facets_read_the_match_once(catalogue: None, client: Client) -> None:
    fields = '["organization", "groups", "tags", "license_id", "res_format"]'
    with CaptureQueriesContext(connection) as queries:
        response = client.get(SEARCH, {"q": "pelayanan", "facet.field": fields})
    result = response.json()["result"]
    assert result["count"] == 2
    assert result["facets"]["organization"] == {"kota-contoh": 2}
    assert result["facets"]["groups"] == {"pelayanan-publik": 2}
    assert result["facets"]["license_id"] == {"cc-by-4.0": 2}
    assert result["facets"]["res_format"] == {"CSV": 2, "JSON": 2}
    assert result["facets"]["tags"]["kinerja pelayanan"] == 1
    assert sum(result["facets"]["tags"].values()) == 6
    # The match with its facet columns, res_format's counts, the page and its resources.
    assert len(queries.captured_queries) == 4
    bare = client.get(SEARCH, {"q": "pelayanan", "facet": "false"}).json()["result"]
    assert bare["count"] == 2
    assert bare["facets"] == {}


def test_a_csw_phrase_does_not_span_two_fields(catalogue: None) -> None:
    from lxml import etree

    from loket.opendata import csw

    def found(literal: str) -> list[str]:
        node = etree.Element("PropertyIsLike", wildCard="%", singleChar="_", escapeChar="\\")
        condition = csw._like(node, "csw:AnyText", literal)
        return list(Dataset.objects.filter(condition).values_list("slug", flat=True))

    assert found("%Penanganan Pengaduan%") == ["kota-contoh-penanganan-pengaduan"]
    # The title ends "Pemkot Contoh", the description begins "Jumlah".
    assert found("%contoh\njumlah%") == []
