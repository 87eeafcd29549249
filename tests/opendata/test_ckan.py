"""The CKAN action API as CKAN clients meet it: the real `ckanapi.RemoteCKAN` against the server."""

from __future__ import annotations

from typing import Any

import pytest
from ckanapi import NotFound, RemoteCKAN, SearchQueryError, ValidationError
from django.test import Client

from loket.complaints.categories import load_dir
from loket.demo.agency import load_demo
from loket.opendata import services
from loket.opendata.models import Dataset


@pytest.fixture
def ckan(transactional_db: Any, live_server: Any) -> RemoteCKAN:
    load_demo()
    load_dir()
    services.publish_all()
    return RemoteCKAN(live_server.url, user_agent="loket-tests/1.0 (ckanapi)")


def test_package_list_names_every_dataset(ckan: RemoteCKAN) -> None:
    names = ckan.action.package_list()
    assert names == sorted(Dataset.objects.values_list("slug", flat=True))
    assert "kota-contoh-katalog-layanan" in names


def test_package_show_by_name_and_by_id_gives_the_ckan_record(ckan: RemoteCKAN) -> None:
    package = ckan.action.package_show(id="kota-contoh-penanganan-pengaduan")
    assert package["organization"]["name"] == "kota-contoh"
    assert package["license_id"] == "cc-by-4.0"
    assert {r["format"] for r in package["resources"]} == {"CSV", "JSON"}
    assert {e["key"] for e in package["extras"]} >= {"konsep", "definisi", "rumus", "satuan"}
    assert ckan.action.package_show(id=package["id"])["name"] == package["name"]
    resource = ckan.action.resource_show(id=package["resources"][0]["id"])
    assert resource["package_id"] == package["id"]


def test_unknown_dataset_or_resource_is_not_found(ckan: RemoteCKAN) -> None:
    with pytest.raises(NotFound):
        ckan.action.package_show(id="tidak-ada")
    with pytest.raises(NotFound):
        ckan.action.resource_show(id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFound):
        ckan.action.organization_show(id="tidak-ada")


def test_package_search_filters_with_fq_and_counts_facets(ckan: RemoteCKAN) -> None:
    result = ckan.action.package_search(
        q="pengaduan",
        fq="organization:kota-contoh res_format:CSV",
        **{"facet.field": '["groups", "res_format", "tags"]'},
    )
    assert [p["name"] for p in result["results"]] == ["kota-contoh-penanganan-pengaduan"]
    assert result["count"] == 1
    assert result["facets"]["res_format"] == {"CSV": 1, "JSON": 1}
    assert result["search_facets"]["groups"]["items"][0]["name"] == "pengaduan"
    by_group = ckan.action.package_search(fq="groups:pelayanan-publik", sort="name asc", rows=1)
    assert by_group["count"] == 2
    assert [p["name"] for p in by_group["results"]] == ["kota-contoh-katalog-layanan"]
    second = ckan.action.package_search(fq="groups:pelayanan-publik", sort="name asc", start=1)
    assert [p["name"] for p in second["results"]] == ["kota-contoh-statistik-permohonan"]


def test_unsupported_filter_is_a_search_query_error(ckan: RemoteCKAN) -> None:
    with pytest.raises(SearchQueryError):
        ckan.action.package_search(fq="author:siapa")


def test_bad_rows_is_a_validation_error_naming_the_field(ckan: RemoteCKAN) -> None:
    with pytest.raises(ValidationError) as raised:
        ckan.action.package_search(rows="banyak")
    assert "rows" in raised.value.error_dict


def test_organizations_groups_tags_licences_and_status(ckan: RemoteCKAN) -> None:
    assert ckan.action.organization_list() == ["kota-contoh"]
    (org,) = ckan.action.organization_list(all_fields=True)
    assert org["package_count"] == Dataset.objects.count()
    assert org["is_organization"] is True
    assert "pengaduan" in ckan.action.group_list()
    assert "IKM" in ckan.action.tag_list()
    assert ckan.action.license_list()[0]["id"] == "cc-by-4.0"
    assert ckan.action.status_show()["api_version"] == 3


def test_envelope_and_status_codes_of_errors(db: Any, client: Client) -> None:
    ok = client.get("/api/3/action/package_list")
    assert ok.status_code == 200
    assert ok.json()["success"] is True
    assert ok.json()["help"].endswith("/api/3/action/help_show?name=package_list")
    missing = client.get("/api/3/action/package_show", {"id": "tidak-ada"})
    assert missing.status_code == 404
    assert missing.json()["error"]["__type"] == "Not Found Error"
    assert client.get("/api/3/action/package_show").status_code == 409
    assert client.get("/api/3/action/package_search", {"fq": "x:y"}).status_code == 400
    assert client.post("/api/3/action/package_create", {}).status_code == 403
    assert client.get("/api/3/action/tidak_ada").status_code == 400
    bad_json = client.post("/api/3/action/package_show", "{", content_type="application/json")
    assert bad_json.status_code == 400
    assert bad_json.json()["success"] is False


def test_search_by_tag_and_licence_runs_in_the_database(db: Any, client: Client) -> None:
    load_demo()
    services.publish_all()
    services.publish_all()  # republishing keeps the tag index in step with the keywords

    def names(fq: str) -> list[str]:
        response = client.get("/api/3/action/package_search", {"fq": fq})
        assert response.status_code == 200, response.content
        return [p["name"] for p in response.json()["result"]["results"]]

    assert names("tags:IKM") == ["kota-contoh-indeks-kepuasan-masyarakat"]
    assert names('tags:"survei kepuasan masyarakat"') == ["kota-contoh-indeks-kepuasan-masyarakat"]
    assert names("tags:IK") == []
    assert len(names("license_id:cc-by-4.0")) == Dataset.objects.count()
    assert names("license_id:odc-by") == []
