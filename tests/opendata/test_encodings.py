"""The catalogue as data.json (POD v1.1 JSON schema) and DCAT-AP 3 (official SHACL shapes)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft4Validator
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import DCAT, RDF
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from loket.opendata import services

pytestmark = pytest.mark.django_db

POD_SCHEMA_DIR = Path(__file__).parent / "pod_v1_1"
# The official DCAT-AP 3.0.0 shapes, vendored unchanged (source and licence in their README).
SHAPES_DIR = Path(os.environ.get("LOKET_DCAT_AP_SHAPES", Path(__file__).parent / "dcat_ap_3_0_0"))


@pytest.fixture
def published(demo: Any, seeded: Any) -> None:
    services.publish_all()


def test_data_json_validates_against_the_pod_v1_1_schema(published: None, client: Client) -> None:
    response = client.get("/data.json")
    assert response.status_code == 200
    document = response.json()
    catalog_schema = json.loads((POD_SCHEMA_DIR / "catalog.json").read_text())
    dataset_schema = json.loads((POD_SCHEMA_DIR / "dataset-non-federal.json").read_text())
    registry = Registry().with_resources(
        (schema["id"].rstrip("#"), Resource(schema, specification=DRAFT4))
        for schema in (catalog_schema, dataset_schema)
    )
    errors = list(Draft4Validator(catalog_schema, registry=registry).iter_errors(document))
    assert errors == []
    for dataset in document["dataset"]:
        errors = list(Draft4Validator(dataset_schema).iter_errors(dataset))
        assert errors == [], [e.message for e in errors]
    assert len(document["dataset"]) == 5
    first = document["dataset"][0]
    assert first["modified"].endswith("+07:00")
    assert first["accrualPeriodicity"].startswith("R/P")


def test_pod_validation_catches_a_broken_record(published: None, client: Client) -> None:
    """The schema check above can fail: a record without its contact point is refused."""
    dataset = client.get("/data.json").json()["dataset"][0]
    del dataset["contactPoint"]
    schema = json.loads((POD_SCHEMA_DIR / "dataset-non-federal.json").read_text())
    assert list(Draft4Validator(schema).iter_errors(dataset))


def _shapes() -> Graph:
    assert (SHAPES_DIR / "shapes.ttl").exists(), f"DCAT-AP 3 shapes not found in {SHAPES_DIR}"
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(SHAPES_DIR / name, format="turtle")
    return shapes


@pytest.mark.parametrize(
    ("path", "fmt"), [("/catalog.ttl", "turtle"), ("/catalog.jsonld", "json-ld")]
)
def test_dcat_ap_3_catalogue_conforms_to_the_official_shapes(
    published: None, client: Client, path: str, fmt: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    graph = Graph().parse(data=response.content.decode(), format=fmt)
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 5
    conforms, _report, text = validate(graph, shacl_graph=_shapes(), inference="none")
    assert conforms, text


def test_shapes_reject_a_dataset_without_a_title(published: None, client: Client) -> None:
    from rdflib.namespace import DCTERMS

    graph = Graph().parse(data=client.get("/catalog.ttl").content.decode(), format="turtle")
    dataset = next(iter(graph.subjects(RDF.type, DCAT.Dataset)))
    graph.remove((dataset, DCTERMS.title, None))
    conforms, _report, _text = validate(graph, shacl_graph=_shapes(), inference="none")
    assert not conforms
