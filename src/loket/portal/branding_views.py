"""The agency's crest, served from the database under its digest (cached for good)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from loket.org.models import Agency


@require_safe
def crest(request: HttpRequest, code: str, digest: str) -> HttpResponse:
    agency = Agency.objects.filter(code=code, crest_sha256=digest).only("crest_png").first()
    if agency is None or not agency.crest_png:
        raise Http404("No such crest.")
    response = HttpResponse(bytes(agency.crest_png), content_type="image/png")
    # The digest is in the address: a new crest gets a new one.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
