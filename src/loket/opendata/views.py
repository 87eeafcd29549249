"""Open-data downloads and pages: public, as every dataset is aggregated and anonymous."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from loket.opendata import csw, encodings, selectors

XML_TYPE = "application/xml; charset=utf-8"
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@require_safe
def download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    resource = selectors.resource_file(slug, fmt)
    if resource is None:
        raise Http404
    response = HttpResponse(bytes(resource.content), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{resource.filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
def data_json(request: HttpRequest) -> JsonResponse:
    """Project Open Data v1.1, for `dcat_json` harvesters."""
    response = JsonResponse(
        encodings.pod_catalog(_base(request)), json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    graph = encodings.dcat_graph(_base(request))
    body = graph.serialize(format="json-ld", auto_compact=True)
    return HttpResponse(body, content_type="application/ld+json")


@require_safe
def catalog_turtle(request: HttpRequest) -> HttpResponse:
    graph = encodings.dcat_graph(_base(request))
    return HttpResponse(graph.serialize(format="turtle"), content_type="text/turtle; charset=utf-8")


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The portal's open-data page: browse and search by organisation and topic."""
    query = request.GET.get("q", "").strip()[:100]
    organisation = request.GET.get("organisation", "").strip()[:64]
    theme = request.GET.get("theme", "").strip()[:60]
    context = {
        "datasets": selectors.search(query=query, organisation=organisation, theme=theme),
        "agencies": selectors.publishing_agencies(),
        "themes": sorted(selectors.THEMES.items()),
        "query": query,
        "organisation": organisation,
        "theme": theme,
    }
    return render(request, "opendata/index.html", context)


@require_safe
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_by_id(slug)
    if dataset is None:
        raise Http404
    header, rows, total = selectors.preview(dataset)
    context = {
        "dataset": dataset,
        "header": header,
        "rows": rows,
        "total": total,
        "temporal": encodings.temporal(dataset),
        "licence": selectors.licence(),
        "min_cell": settings.LOKET_OPENDATA_MIN_CELL,
    }
    return render(request, "opendata/dataset.html", context)


@csrf_exempt  # a read-only query protocol: POST carries a query, never a change
@require_http_methods(["GET", "HEAD", "POST"])
def catalogue_service(request: HttpRequest) -> HttpResponse:
    """OGC CSW 2.0.2 with Dublin Core records, for `csw` harvesters."""
    base = _base(request)
    try:
        if request.method == "POST":
            query = csw.parse_xml(request.body)
        else:
            query = csw.parse_kvp(request.GET.dict())
        if query.request == "GetCapabilities":
            body = csw.capabilities(f"{base}/csw", "Loket — Data Terbuka")
        elif query.request == "GetRecordById":
            body = csw.get_record_by_id(query, base)
        else:
            body = csw.get_records(query, base)
    except csw.CswError as error:
        return HttpResponse(csw.exception_report(error), status=error.status, content_type=XML_TYPE)
    response = HttpResponse(body, content_type=XML_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    return response
