"""Open-data downloads and pages: public, as every dataset is aggregated and anonymous."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from loket.opendata import selectors

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
