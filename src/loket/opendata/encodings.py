"""The catalogue's other encodings: Project Open Data v1.1 (`/data.json`) and DCAT-AP 3.

One record, several encodings (the mapping table in shared/domain/opendata.md):
slug -> identifier, agency -> publisher, keywords -> keyword, theme -> theme.
Dates carry their offset here (ISO 8601), unlike CKAN's naive UTC.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from loket.opendata import selectors
from loket.opendata.models import Dataset

POD_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_LANGUAGE = URIRef("http://publications.europa.eu/resource/authority/language/IND")
FREQUENCIES = {
    "R/P1D": "DAILY",
    "R/P1M": "MONTHLY",
    "R/P3M": "QUARTERLY",
    "R/P6M": "ANNUAL_2",
    "R/P1Y": "ANNUAL",
}


def contact_email(dataset: Dataset) -> str:
    """The agency's public desk address; never an officer's own."""
    return dataset.agency.email or str(settings.LOKET_OPENDATA_CONTACT_EMAIL)


def temporal(dataset: Dataset) -> str | None:
    if dataset.temporal_start and dataset.temporal_end:
        return f"{dataset.temporal_start.isoformat()}/{dataset.temporal_end.isoformat()}"
    return None


def _iso(moment: Any) -> str:
    return str(timezone.localtime(moment).isoformat(timespec="seconds"))


def pod_dataset(dataset: Dataset, base: str) -> dict[str, Any]:
    lic = selectors.licence()
    description = (
        dataset.description
        + "\n\n"
        + "\n".join(f"{key}: {value}" for key, value in dataset.indicator.items())
    )
    record: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "title": dataset.title,
        "description": description,
        "keyword": list(dataset.keywords) or [dataset.theme],
        "identifier": f"{base}/data/{dataset.slug}/",
        "issued": _iso(dataset.created_at),
        "modified": _iso(dataset.modified_at),
        "accrualPeriodicity": dataset.periodicity,
        "accessLevel": "public",
        "license": lic["url"],
        "language": ["id"],
        "landingPage": f"{base}/data/{dataset.slug}/",
        "theme": [selectors.THEMES.get(dataset.theme, dataset.theme)],
        "publisher": {"@type": "org:Organization", "name": dataset.agency.name},
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": dataset.agency.name,
            "hasEmail": f"mailto:{contact_email(dataset)}",
        },
        "distribution": [
            {
                "@type": "dcat:Distribution",
                "title": f"{dataset.title} ({resource.format})",
                "downloadURL": selectors.download_url(resource, base),
                "mediaType": resource.media_type,
                "format": resource.format,
            }
            for resource in dataset.resources.all()
        ],
    }
    if temporal(dataset):
        record["temporal"] = temporal(dataset)
    return record


def pod_catalog(base: str) -> dict[str, Any]:
    """The whole catalogue as a Project Open Data v1.1 `data.json`."""
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@id": f"{base}/data.json",
        "@type": "dcat:Catalog",
        "conformsTo": POD_SCHEMA,
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": [pod_dataset(d, base) for d in selectors.datasets()],
    }


def _agent(graph: Graph, base: str, code: str, name: str) -> URIRef:
    agent = URIRef(f"{base}/data/organisasi/{code}")
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(name, lang="id")))
    return agent


def _theme(graph: Graph, base: str, scheme: URIRef, theme: str) -> URIRef:
    concept = URIRef(f"{base}/data/tema/{theme}")
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.prefLabel, Literal(selectors.THEMES.get(theme, theme), lang="id")))
    graph.add((concept, SKOS.inScheme, scheme))
    return concept


def _typed(graph: Graph, iri: str, cls: URIRef) -> URIRef:
    node = URIRef(iri)
    graph.add((node, RDF.type, cls))
    return node


def _distribution(graph: Graph, dataset_node: URIRef, resource: Any, base: str) -> None:
    url = URIRef(selectors.download_url(resource, base))
    dist = URIRef(f"{base}/data/{resource.dataset.slug}/{resource.format.lower()}")
    graph.add((dataset_node, DCAT.distribution, dist))
    graph.add((dist, RDF.type, DCAT.Distribution))
    graph.add((dist, DCAT.accessURL, url))
    graph.add((dist, DCAT.downloadURL, url))
    graph.add((dist, DCTERMS.title, Literal(f"{resource.dataset.title} ({resource.format})")))
    # DCAT-AP 3.0.0 shapes type byteSize as xsd:decimal (not DCAT 3's nonNegativeInteger).
    graph.add((dist, DCAT.byteSize, Literal(resource.size, datatype=XSD.decimal)))
    media = f"https://www.iana.org/assignments/media-types/{resource.media_type}"
    graph.add((dist, DCAT.mediaType, _typed(graph, media, DCTERMS.MediaType)))
    fmt = f"http://publications.europa.eu/resource/authority/file-type/{resource.format}"
    graph.add((dist, DCTERMS.format, _typed(graph, fmt, DCTERMS.MediaTypeOrExtent)))
    graph.add(
        (dist, DCTERMS.license, _typed(graph, selectors.licence()["url"], DCTERMS.LicenseDocument))
    )
    graph.add((dist, DCTERMS.modified, Literal(resource.modified_at, datatype=XSD.dateTime)))
    checksum = BNode()
    graph.add((dist, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(resource.sha256, datatype=XSD.hexBinary)))


def _dataset(graph: Graph, dataset: Dataset, base: str, scheme: URIRef) -> URIRef:
    node = URIRef(f"{base}/data/{dataset.slug}/")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(str(dataset.uuid))))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang="id")))
    graph.add((node, DCTERMS.description, Literal(dataset.description, lang="id")))
    for keyword in dataset.keywords:
        graph.add((node, DCAT.keyword, Literal(keyword, lang="id")))
    graph.add((node, DCAT.theme, _theme(graph, base, scheme, dataset.theme)))
    graph.add(
        (node, DCTERMS.publisher, _agent(graph, base, dataset.agency.code, dataset.agency.name))
    )
    contact = URIRef(f"{base}/data/organisasi/{dataset.agency.code}#kontak")
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, VCARD.fn, Literal(dataset.agency.name)))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{contact_email(dataset)}")))
    graph.add((node, DCTERMS.issued, Literal(dataset.created_at, datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.modified, Literal(dataset.modified_at, datatype=XSD.dateTime)))
    if dataset.periodicity in FREQUENCIES:
        freq = EU_FREQUENCY + FREQUENCIES[dataset.periodicity]
        graph.add((node, DCTERMS.accrualPeriodicity, _typed(graph, freq, DCTERMS.Frequency)))
    graph.add((node, DCTERMS.language, EU_LANGUAGE))
    graph.add((EU_LANGUAGE, RDF.type, DCTERMS.LinguisticSystem))
    if dataset.temporal_start and dataset.temporal_end:
        period = BNode()
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        graph.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
    for resource in dataset.resources.all():
        _distribution(graph, node, resource, base)
    return node


def dcat_graph(base: str) -> Graph:
    """The catalogue as a DCAT-AP 3 graph, with the CKAN API as its data service."""
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    graph.bind("vcard", VCARD)
    graph.bind("spdx", SPDX)
    graph.bind("skos", SKOS)
    catalog = URIRef(f"{base}/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add(
        (catalog, DCTERMS.title, Literal(str(settings.LOKET_OPENDATA_CATALOG_TITLE), lang="id"))
    )
    about = (
        "Data terbuka pelayanan publik: katalog layanan, statistik permohonan, penanganan "
        "pengaduan, indeks kepuasan masyarakat dan checkpoint buku besar."
    )
    graph.add((catalog, DCTERMS.description, Literal(about, lang="id")))
    home = selectors.publishing_agencies().first()
    publisher = (home.code, home.name) if home else ("loket", "Loket")
    graph.add((catalog, DCTERMS.publisher, _agent(graph, base, *publisher)))
    graph.add((catalog, FOAF.homepage, _typed(graph, f"{base}/data/", FOAF.Document)))
    graph.add((catalog, DCTERMS.language, EU_LANGUAGE))
    graph.add((EU_LANGUAGE, RDF.type, DCTERMS.LinguisticSystem))
    graph.add(
        (
            catalog,
            DCTERMS.license,
            _typed(graph, selectors.licence()["url"], DCTERMS.LicenseDocument),
        )
    )
    graph.add((catalog, DCTERMS.modified, Literal(timezone.now(), datatype=XSD.dateTime)))
    scheme = URIRef(f"{base}/data/tema")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, Literal("Tema data terbuka Loket", lang="id")))
    graph.add((catalog, DCAT.themeTaxonomy, scheme))
    service = URIRef(f"{base}/api/3/action/")
    graph.add((catalog, DCAT.service, service))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("CKAN action API", lang="en")))
    graph.add((service, DCAT.endpointURL, service))
    for dataset in selectors.datasets():
        node = _dataset(graph, dataset, base, scheme)
        graph.add((catalog, DCAT.dataset, node))
        graph.add((service, DCAT.servesDataset, node))
    return graph
