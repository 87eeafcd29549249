"""OGC CSW 2.0.2 (Catalogue Service for the Web), read-only, Dublin Core records.

Some Indonesian harvest sources are of type ``csw`` (see docs/opendata.md). This is the
subset harvesters use: GetCapabilities, GetRecords and GetRecordById, over HTTP GET
(key-value pairs) and POST (XML), answering ``csw:Record`` in the three element sets
(brief, summary, full). Queries filter with OGC Filter 1.1 ``PropertyIsLike`` and
``PropertyIsEqualTo`` on a few queryables, joined by ``And``; anything else is an
``ows:ExceptionReport`` (OGC 06-121r3 §8) naming the parameter, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from lxml import etree

from loket.opendata import selectors
from loket.opendata.models import Dataset

CSW = "http://www.opengis.net/cat/csw/2.0.2"
DC = "http://purl.org/dc/elements/1.1/"
DCT = "http://purl.org/dc/terms/"
OWS = "http://www.opengis.net/ows"
OGC = "http://www.opengis.net/ogc"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"csw": CSW, "dc": DC, "dct": DCT, "ows": OWS, "ogc": OGC, "xlink": XLINK, "xsi": XSI}
SCHEMA_LOCATION = f"{CSW} http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd"

MAX_RECORDS = 100
DEFAULT_RECORDS = 10
ELEMENT_SETS = {"brief": "BriefRecord", "summary": "SummaryRecord", "full": "Record"}
RESULT_TYPES = ("results", "hits")
OUTPUT_FORMATS = ("application/xml", "text/xml")
TYPE_NAMES = ("csw:Record", "Record")
# Queryables: the Dublin Core / CSW names a filter may use, and the dataset fields they read.
# AnyText reads the lower-cased `search_text`, which holds the other four.
TEXT_QUERYABLES: dict[str, tuple[str, ...]] = {
    "csw:AnyText": ("search_text",),
    "AnyText": ("search_text",),
    "dc:title": ("title",),
    "dc:subject": ("tag_index",),
    "dct:abstract": ("description",),
    "dc:description": ("description",),
}
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


class CswError(Exception):
    """An OGC exception: code (OWS exceptionCode), locator (the parameter) and text."""

    def __init__(self, code: str, locator: str, text: str, status: int = 400) -> None:
        super().__init__(text)
        self.code, self.locator, self.text, self.status = code, locator, text, status


def _q(prefix: str, name: str) -> str:
    return f"{{{NSMAP[prefix]}}}{name}"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    node = etree.SubElement(
        parent, _q(prefix, name), attrib={_attr(k): v for k, v in attrs.items()}
    )
    if text is not None:
        node.text = text
    return node


def _attr(name: str) -> str:
    if "__" in name:
        prefix, local = name.split("__")
        return _q(prefix, local)
    return name


def _document(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def exception_report(error: CswError) -> bytes:
    root = etree.Element(_q("ows", "ExceptionReport"), nsmap=NSMAP, version="1.2.0")
    node = _el(root, "ows:Exception", exceptionCode=error.code, locator=error.locator)
    _el(node, "ows:ExceptionText", error.text)
    return _document(root)


# -- requests --------------------------------------------------------------------------------


@dataclass
class Query:
    """A GetRecords or GetRecordById request, whatever its encoding."""

    request: str
    ids: list[str] = field(default_factory=list)
    element_set: str = "summary"
    result_type: str = "results"
    start: int = 1
    max_records: int = DEFAULT_RECORDS
    conditions: list[Q] = field(default_factory=list)


def _check_common(service: str | None, version: str | None, request: str) -> None:
    if (service or "").upper() != "CSW":
        raise CswError("MissingParameterValue" if not service else "InvalidParameterValue",
                       "service", "service must be CSW")  # fmt: skip
    if request != "GetCapabilities" and version not in (None, "2.0.2"):
        raise CswError("VersionNegotiationFailed", "version", "Only version 2.0.2 is served.")


def _positive(value: str | None, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    assert value is not None
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not re.fullmatch(r"[0-9]+", value):
        raise CswError("InvalidParameterValue", name, f"{name} must be a whole number")
    return min(int(value), selectors.BEYOND_ANY_CATALOGUE)


def _check_choice(value: str | None, name: str, allowed: Iterable[str]) -> None:
    if value not in (None, "") and value not in allowed:
        raise CswError("InvalidParameterValue", name, f"{name} must be one of {list(allowed)}")


def _paging(query: Query, start: str | None, count: str | None) -> None:
    query.start = max(1, _positive(start, "startPosition", 1))
    query.max_records = min(MAX_RECORDS, _positive(count, "maxRecords", DEFAULT_RECORDS))


def parse_kvp(params: dict[str, str]) -> Query:
    """A GET request; parameter names are case-insensitive (OGC 06-121r3 §11.5.2)."""
    lowered = {k.lower(): v for k, v in params.items()}
    request = lowered.get("request", "")
    _check_common(lowered.get("service"), lowered.get("version"), request)
    if request not in ("GetCapabilities", "GetRecords", "GetRecordById"):
        code = "MissingParameterValue" if not request else "OperationNotSupported"
        raise CswError(code, "request", "request must be GetCapabilities, GetRecords or "
                       "GetRecordById")  # fmt: skip
    query = Query(request=request)
    if request == "GetCapabilities":
        return query
    _check_choice(lowered.get("outputschema"), "outputSchema", (CSW,))
    _check_choice(lowered.get("outputformat"), "outputFormat", OUTPUT_FORMATS)
    query.element_set = lowered.get("elementsetname") or (
        "full" if request == "GetRecordById" else "summary"
    )
    _check_choice(query.element_set, "ElementSetName", ELEMENT_SETS)
    if request == "GetRecordById":
        query.ids = [i.strip() for i in lowered.get("id", "").split(",") if i.strip()]
        if not query.ids:
            raise CswError("MissingParameterValue", "id", "id is required")
        return query
    _check_choice(lowered.get("typenames"), "typeNames", TYPE_NAMES)
    query.result_type = lowered.get("resulttype") or "results"
    _check_choice(query.result_type, "resultType", RESULT_TYPES)
    if lowered.get("constraint"):
        raise CswError("InvalidParameterValue", "constraint",
                       "Constraints are accepted as an OGC Filter in a POST request.")  # fmt: skip
    _paging(query, lowered.get("startposition"), lowered.get("maxrecords"))
    return query


def parse_xml(body: bytes) -> Query:
    """A POST request: csw:GetCapabilities, csw:GetRecords or csw:GetRecordById."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except etree.XMLSyntaxError:
        raise CswError("NoApplicableCode", "request", "The body is not well-formed XML.") from None
    if root.getroottree().docinfo.doctype:
        # Entities are never expanded anyway; a query has no use for a DTD.
        raise CswError("NoApplicableCode", "request", "A document type declaration is refused.")
    name = etree.QName(root).localname
    if etree.QName(root).namespace != CSW or name not in (
        "GetCapabilities", "GetRecords", "GetRecordById",
    ):  # fmt: skip
        raise CswError("OperationNotSupported", "request", f"{name} is not served")
    _check_common(root.get("service"), root.get("version"), name)
    query = Query(request=name)
    if name == "GetCapabilities":
        return query
    _check_choice(root.get("outputSchema"), "outputSchema", (CSW,))
    _check_choice(root.get("outputFormat"), "outputFormat", OUTPUT_FORMATS)
    if name == "GetRecordById":
        query.ids = [(e.text or "").strip() for e in root.findall("csw:Id", NSMAP)]
        query.element_set = root.findtext("csw:ElementSetName", "full", NSMAP).strip()
        _check_choice(query.element_set, "ElementSetName", ELEMENT_SETS)
        if not any(query.ids):
            raise CswError("MissingParameterValue", "Id", "Id is required")
        return query
    query.result_type = root.get("resultType") or "results"
    _check_choice(query.result_type, "resultType", (*RESULT_TYPES, "validate"))
    _paging(query, root.get("startPosition"), root.get("maxRecords"))
    found = root.find("csw:Query", NSMAP)
    if found is not None:
        _check_choice(found.get("typeNames"), "typeNames", TYPE_NAMES)
        query.element_set = found.findtext("csw:ElementSetName", "summary", NSMAP).strip()
        _check_choice(query.element_set, "ElementSetName", ELEMENT_SETS)
        constraint = found.find("csw:Constraint", NSMAP)
        if constraint is not None:
            query.conditions = _constraint(constraint)
    return query


def _constraint(constraint: etree._Element) -> list[Q]:
    if constraint.find("csw:CqlText", NSMAP) is not None:
        raise CswError("InvalidParameterValue", "Constraint",
                       "CQL is not supported; send an OGC Filter.")  # fmt: skip
    flt = constraint.find("ogc:Filter", NSMAP)
    if flt is None or len(flt) != 1:
        raise CswError("InvalidParameterValue", "Constraint", "Give one ogc:Filter.")
    return _condition(flt[0])


def _condition(node: etree._Element) -> list[Q]:
    name = etree.QName(node).localname
    if name == "And":
        return [q for child in node for q in _condition(child)]
    handler = _OPERATORS.get(name)
    if handler is None:
        raise CswError("InvalidParameterValue", "Constraint", f"ogc:{name} is not supported")
    prop = (node.findtext("ogc:PropertyName", "", NSMAP) or "").strip()
    literal = node.findtext("ogc:Literal", "", NSMAP) or ""
    return [handler(node, prop, literal)]


def _like(node: etree._Element, prop: str, literal: str) -> Q:
    fields = TEXT_QUERYABLES.get(prop)
    if fields is None:
        raise CswError("InvalidParameterValue", "PropertyName", f"{prop} is not queryable")
    wild, single = node.get("wildCard", "%"), node.get("singleChar", "_")
    escape = node.get("escapeChar") or node.get("escape") or "\\"
    words = [w for w in re.split(rf"(?<!{re.escape(escape)})[{re.escape(wild + single)}]+", literal)
             if w.strip()]  # fmt: skip
    condition = Q()
    for word in words:
        text = word.replace(escape, "")
        either = Q()
        for each in fields:
            if each == "search_text":
                # Its fields are one per line: a phrase's line break must not span two.
                either |= Q(search_text__contains=" ".join(text.lower().split()))
            else:
                either |= Q(**{f"{each}__icontains": text})
        condition &= either
    return condition


def _equal(_node: etree._Element, prop: str, literal: str) -> Q:
    value = literal.strip()
    if prop == "dc:identifier":
        return Q(uuid=value) if selectors._is_uuid(value) else Q(slug=value)
    if prop == "dc:type":
        return Q() if value == "dataset" else Q(pk__in=[])
    if prop == "dc:subject":
        return Q(tag_index__contains=f"|{value}|")
    raise CswError("InvalidParameterValue", "PropertyName", f"{prop} is not queryable")


_OPERATORS: dict[str, Callable[[etree._Element, str, str], Q]] = {
    "PropertyIsLike": _like,
    "PropertyIsEqualTo": _equal,
}


# -- responses -------------------------------------------------------------------------------


def capabilities(endpoint: str, title: str) -> bytes:
    root = etree.Element(_q("csw", "Capabilities"), nsmap=NSMAP, version="2.0.2")
    root.set(_q("xsi", "schemaLocation"), SCHEMA_LOCATION)
    ident = _el(root, "ows:ServiceIdentification")
    _el(ident, "ows:Title", title)
    _el(ident, "ows:Abstract", "Katalog data terbuka (agregat, tanpa data pribadi): "
        "rekaman Dublin Core untuk harvester CSW.")  # fmt: skip
    keywords = _el(ident, "ows:Keywords")
    for word in ("data terbuka", "Satu Data Indonesia", "pelayanan publik"):
        _el(keywords, "ows:Keyword", word)
    _el(ident, "ows:ServiceType", "CSW")
    _el(ident, "ows:ServiceTypeVersion", "2.0.2")
    _el(ident, "ows:Fees", "none")
    _el(ident, "ows:AccessConstraints", "none")
    provider = _el(root, "ows:ServiceProvider")
    _el(provider, "ows:ProviderName", title)
    _el(provider, "ows:ProviderSite", **{"xlink__href": endpoint})
    operations = _el(root, "ows:OperationsMetadata")
    for name in ("GetCapabilities", "GetRecords", "GetRecordById"):
        op = _el(operations, "ows:Operation", name=name)
        http = _el(_el(op, "ows:DCP"), "ows:HTTP")
        _el(http, "ows:Get", **{"xlink__href": endpoint})
        post = _el(http, "ows:Post", **{"xlink__href": endpoint})
        _allowed(_el(post, "ows:Constraint", name="PostEncoding"), ["XML"])
        if name != "GetCapabilities":
            _allowed(_el(op, "ows:Parameter", name="outputSchema"), [CSW])
            _allowed(_el(op, "ows:Parameter", name="outputFormat"), ["application/xml"])
            _allowed(_el(op, "ows:Parameter", name="ElementSetName"), list(ELEMENT_SETS))
        if name == "GetRecords":
            _allowed(_el(op, "ows:Parameter", name="typeNames"), ["csw:Record"])
            _allowed(_el(op, "ows:Parameter", name="resultType"), list(RESULT_TYPES))
            _allowed(_el(op, "ows:Parameter", name="CONSTRAINTLANGUAGE"), ["FILTER"])
            _allowed(_el(op, "ows:Constraint", name="SupportedDublinCoreQueryables"),
                     ["csw:AnyText", "dc:title", "dc:subject", "dct:abstract", "dc:identifier",
                      "dc:type"])  # fmt: skip
    _allowed(_el(operations, "ows:Parameter", name="service"), ["CSW"])
    _allowed(_el(operations, "ows:Parameter", name="version"), ["2.0.2"])
    filters = _el(root, "ogc:Filter_Capabilities")
    # No spatial operators: the datasets are statistics of an agency, not geometries.
    scalar = _el(filters, "ogc:Scalar_Capabilities")
    _el(scalar, "ogc:LogicalOperators")
    comparisons = _el(scalar, "ogc:ComparisonOperators")
    for operator in ("Like", "EqualTo"):
        _el(comparisons, "ogc:ComparisonOperator", operator)
    ids = _el(filters, "ogc:Id_Capabilities")
    _el(ids, "ogc:EID")
    _el(ids, "ogc:FID")
    return _document(root)


def _allowed(parent: etree._Element, values: list[str]) -> None:
    for value in values:
        _el(parent, "ows:Value", value)


def _record(parent: etree._Element, dataset: Dataset, element_set: str, base: str) -> None:
    node = _el(parent, f"csw:{ELEMENT_SETS[element_set]}")
    _el(node, "dc:identifier", str(dataset.uuid))
    _el(node, "dc:title", dataset.title)
    _el(node, "dc:type", "dataset")
    if element_set == "brief":
        return
    for keyword in dataset.keywords:
        _el(node, "dc:subject", keyword)
    for resource in dataset.resources.all():
        _el(node, "dc:format", resource.media_type)
    _el(node, "dct:modified", dataset.modified_at.isoformat(timespec="seconds"))
    _el(node, "dct:abstract", dataset.description)
    for resource in dataset.resources.all():
        _el(node, "dct:references", selectors.download_url(resource, base),
            scheme="WWW:DOWNLOAD-1.0-http--download")  # fmt: skip
    if element_set == "full":
        _el(node, "dc:publisher", dataset.agency.name)
        _el(node, "dc:language", "id")
        _el(node, "dc:rights", selectors.licence()["url"])
        _el(node, "dc:source", f"{base}/data/{dataset.slug}/")
        _el(node, "dct:issued", dataset.created_at.isoformat(timespec="seconds"))
        if dataset.temporal_start and dataset.temporal_end:
            _el(node, "dct:temporal", f"{dataset.temporal_start}/{dataset.temporal_end}")
        _el(node, "dct:accrualPeriodicity", dataset.periodicity)


def get_records(query: Query, base: str) -> bytes:
    found: QuerySet[Dataset] = Dataset.objects.all()
    for condition in query.conditions:
        found = found.filter(condition)
    matched = found.count()
    root = etree.Element(_q("csw", "GetRecordsResponse"), nsmap=NSMAP, version="2.0.2")
    root.set(_q("xsi", "schemaLocation"), SCHEMA_LOCATION)
    _el(root, "csw:SearchStatus", timestamp=_now())
    rows: list[Dataset] = []
    if query.result_type == "results":
        start = query.start - 1
        rows = list(
            selectors.with_details(found.order_by("slug"))[start : start + query.max_records]
        )
    following = query.start + len(rows)
    results = _el(
        root, "csw:SearchResults",
        numberOfRecordsMatched=str(matched), numberOfRecordsReturned=str(len(rows)),
        nextRecord=str(following if following <= matched and rows else 0),
        elementSet=query.element_set, recordSchema=CSW,
    )  # fmt: skip
    for dataset in rows:
        _record(results, dataset, query.element_set, base)
    return _document(root)


def get_record_by_id(query: Query, base: str) -> bytes:
    uuids = [i for i in query.ids if selectors._is_uuid(i)]
    found = selectors.with_details(
        Dataset.objects.filter(Q(uuid__in=uuids) | Q(slug__in=query.ids)).order_by("slug")
    )
    rows = list(found)
    # An unknown id gives an empty response, as CSW 2.0.2 §10.9 reads (no exception).
    root = etree.Element(_q("csw", "GetRecordByIdResponse"), nsmap=NSMAP)
    for dataset in rows:
        _record(root, dataset, query.element_set, base)
    return _document(root)


def _now() -> str:
    from django.utils import timezone

    return timezone.now().isoformat(timespec="seconds")
