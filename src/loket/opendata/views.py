"""Open-data downloads and pages: public, as every dataset is aggregated and anonymous."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from loket.opendata import encodings, selectors

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
