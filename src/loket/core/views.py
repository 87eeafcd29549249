from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers and `make demo`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# Public pages (services and their standards, complaints, performance, the satisfaction
# index, open data) may be indexed; what belongs to one applicant, officer or document
# may not: tracking and receipts, application forms and drafts, surveys, verification
# results, the workspace, accounts and the APIs (open data has its own catalogue).
# `*` inside a path and `$` at its end are RFC 9309's wildcards.
ROBOTS_TXT = """\
User-agent: *
Disallow: /lacak/
Disallow: /permohonan/
Disallow: /permohonan-saya/
Disallow: /layanan/*/ajukan/
Disallow: /survei/
Allow: /verify/$
Disallow: /verify/
Disallow: /workspace/
Disallow: /admin/
Disallow: /accounts/
Disallow: /api/
Disallow: /i18n/
"""


@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """What search engines may index (RFC 9309)."""
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")
