"""CSW 2.0.2 as harvesters meet it: the real OWSLib client against the running server."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from lxml import etree
from owslib.csw import CatalogueServiceWeb
from owslib.fes import And, PropertyIsEqualTo, PropertyIsLike

from loket.complaints.categories import load_dir
from loket.demo.agency import load_demo
from loket.opendata import services
from loket.opendata.models import Dataset

OWS = "{http://www.opengis.net/ows}"


@pytest.fixture
def catalogue(transactional_db: Any, live_server: Any) -> CatalogueServiceWeb:
    load_demo()
    load_dir()
    services.publish_all()
    return CatalogueServiceWeb(f"{live_server.url}/csw", timeout=30)


def test_capabilities_announce_the_three_operations(catalogue: CatalogueServiceWeb) -> None:
    assert catalogue.identification.type == "CSW"
    assert catalogue.identification.version == "2.0.2"
    names = {op.name for op in catalogue.operations}
    assert names == {"GetCapabilities", "GetRecords", "GetRecordById"}
    assert "Like" in catalogue.filters.scalar_comparison_operators


def test_getrecords_pages_through_every_dataset(catalogue: CatalogueServiceWeb) -> None:
    total = Dataset.objects.count()
    seen: list[str] = []
    start = 1
    while start:
        catalogue.getrecords2(esn="brief", startposition=start, maxrecords=2)
        assert catalogue.results["matches"] == total
        seen += [r.title for r in catalogue.records.values()]
        start = catalogue.results["nextrecord"] or 0
    assert sorted(seen) == sorted(Dataset.objects.values_list("title", flat=True))


def test_getrecords_filters_full_text_and_gives_dublin_core(
    catalogue: CatalogueServiceWeb,
) -> None:
    text = PropertyIsLike("csw:AnyText", "%pengaduan%")
    catalogue.getrecords2(constraints=[text], esn="full", maxrecords=50)
    dataset = Dataset.objects.get(slug="kota-contoh-penanganan-pengaduan")
    records = catalogue.records
    assert str(dataset.uuid) in records
    record = records[str(dataset.uuid)]
    assert record.title == dataset.title
    assert record.type == "dataset"
    assert record.abstract == dataset.description
    assert set(record.subjects) == set(dataset.keywords)
    assert record.publisher == dataset.agency.name
    assert {ref["url"].rsplit(".", 1)[1] for ref in record.references} == {"csv", "json"}
    assert catalogue.results["matches"] == len(records)


def test_filters_combine_with_and(catalogue: CatalogueServiceWeb) -> None:
    dataset = Dataset.objects.get(slug="kota-contoh-penanganan-pengaduan")
    both = And([PropertyIsLike("dc:title", "%Pengaduan%"),
                PropertyIsEqualTo("dc:identifier", str(dataset.uuid))])  # fmt: skip
    catalogue.getrecords2(constraints=[both], esn="summary")
    assert list(catalogue.records) == [str(dataset.uuid)]
    none = And([PropertyIsLike("dc:title", "%Pengaduan%"),
                PropertyIsEqualTo("dc:identifier", "tidak-ada")])  # fmt: skip
    catalogue.getrecords2(constraints=[none])
    assert catalogue.results["matches"] == 0


def test_getrecordbyid_returns_the_full_record(catalogue: CatalogueServiceWeb) -> None:
    dataset = Dataset.objects.get(slug="kota-contoh-katalog-layanan")
    catalogue.getrecordbyid(id=[str(dataset.uuid)])
    record = catalogue.records[str(dataset.uuid)]
    assert record.title == dataset.title
    assert record.modified
    catalogue.getrecordbyid(id=["00000000-0000-0000-0000-000000000000"])
    assert catalogue.records == {}


@pytest.mark.parametrize(
    ("params", "code", "locator"),
    [
        ({"request": "GetCapabilities"}, "MissingParameterValue", "service"),
        ({"service": "WMS", "request": "GetCapabilities"}, "InvalidParameterValue", "service"),
        ({"service": "CSW"}, "MissingParameterValue", "request"),
        ({"service": "CSW", "request": "Harvest"}, "OperationNotSupported", "request"),
        ({"service": "CSW", "request": "GetRecords", "version": "3.0.0"},
         "VersionNegotiationFailed", "version"),
        ({"service": "CSW", "request": "GetRecords", "maxRecords": "-1"},
         "InvalidParameterValue", "maxRecords"),
        ({"service": "CSW", "request": "GetRecords", "outputSchema": "http://www.isotc211.org/2005/gmd"},
         "InvalidParameterValue", "outputSchema"),
        ({"service": "CSW", "request": "GetRecords", "ElementSetName": "huge"},
         "InvalidParameterValue", "ElementSetName"),
        ({"service": "CSW", "request": "GetRecordById"}, "MissingParameterValue", "id"),
    ],
)  # fmt: skip
def test_bad_requests_are_ows_exception_reports(
    demo: Any, client: Client, params: dict[str, str], code: str, locator: str
) -> None:
    response = client.get("/csw", params)
    assert response.status_code == 400
    root = etree.fromstring(response.content)
    exception = root.find(f"{OWS}Exception")
    assert (exception.get("exceptionCode"), exception.get("locator")) == (code, locator)


def test_a_position_past_any_catalogue_is_an_empty_page(demo: Any, client: Client) -> None:
    # Beyond the database's integers: it was a 500.
    params = {"service": "CSW", "version": "2.0.2", "request": "GetRecords",
              "typeNames": "csw:Record", "resultType": "results",
              "startPosition": "9" * 25, "maxRecords": "9" * 25}  # fmt: skip
    response = client.get("/csw", params)
    assert response.status_code == 200
    results = etree.fromstring(response.content).find(
        "{http://www.opengis.net/cat/csw/2.0.2}SearchResults"
    )
    assert results.get("numberOfRecordsReturned") == "0"
    assert results.get("nextRecord") == "0"


@pytest.mark.parametrize("value", ["\u00b2", "-1", "1.5", "\u0661"])
def test_a_position_that_is_not_ascii_digits_is_an_exception_report(
    demo: Any, client: Client, value: str
) -> None:
    response = client.get(
        "/csw", {"service": "CSW", "request": "GetRecords", "startPosition": value}
    )
    assert response.status_code == 400
    exception = etree.fromstring(response.content).find(f"{OWS}Exception")
    assert exception.get("locator") == "startPosition"


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" '
        b'version="2.0.2">&e;</csw:GetRecords>',
        b'<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
        b'xmlns:ogc="http://www.opengis.net/ogc" service="CSW" version="2.0.2">'
        b'<csw:Query typeNames="csw:Record"><csw:Constraint version="1.1.0"><ogc:Filter>'
        b"<ogc:PropertyIsGreaterThan><ogc:PropertyName>dc:title</ogc:PropertyName>"
        b"<ogc:Literal>a</ogc:Literal></ogc:PropertyIsGreaterThan></ogc:Filter>"
        b"</csw:Constraint></csw:Query></csw:GetRecords>",
    ],
)
def test_bad_posts_are_exception_reports_never_a_5xx(
    demo: Any, client: Client, body: bytes
) -> None:
    response = client.post("/csw", body, content_type="application/xml")
    assert response.status_code == 400
    assert b"ExceptionReport" in response.content
    assert b"root:" not in response.content


def test_records_carry_no_personal_data(seeded: dict[str, list[str]], client: Client) -> None:
    services.publish_all()
    body = client.get(
        "/csw", {"service": "CSW", "request": "GetRecords", "ElementSetName": "full",
                 "maxRecords": "100"},
    ).content.decode()  # fmt: skip
    assert "<csw:Record>" in body
    for secret in seeded["secrets"]:
        assert secret not in body
