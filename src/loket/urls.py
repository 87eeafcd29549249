"""URL map. Each app owns its own urls; the API is wired in loket.api."""

from django.contrib import admin
from django.urls import URLPattern, include, path
from django.views.i18n import set_language

from loket.api import views as api_views
from loket.api.api import api
from loket.cases.api import tracking_get
from loket.core import views as core_views
from loket.core.admin_site import LoketAdminSite

# The admin can change who holds authority: it asks for the same second factor as the
# officer workspace (`loket otp-enrol USERNAME` enrols an administrator).
admin.site.__class__ = LoketAdminSite

_api_urls = api.urls
# The applicant's tracking GET, answered before ninja parses it (cases/api/tracking_get.py);
# ninja's operation documents the route and answers what that view leaves to it.
_tracking = next(
    p
    for p in _api_urls[0]
    if isinstance(p, URLPattern) and str(p.pattern) == "applications/<tracking_number>"
)

urlpatterns = [
    path(
        "api/v1/applications/<str:tracking_number>",
        tracking_get.view_over(_tracking.callback),
    ),
    path("api/v1/", _api_urls),
    # The page each API error's `type` URI points to.
    path("api/problems/<slug:code>", api_views.problem_type, name="problem_type"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("admin/", admin.site.urls),
    path("accounts/", include("loket.accounts.urls")),
    # Complaint pages (/pengaduan/), their workspace queue and Open311 (/open311/).
    path("", include("loket.complaints.urls")),
    path("workspace/", include("loket.workspace.urls")),
    path("verify/", include("loket.documents.urls")),
    # The public Kinerja Layanan page (/kinerja/<agency>/).
    path("", include("loket.insights.urls")),
    # Open data: CKAN action API (/api/3/action/), files (/data/), data.json, DCAT-AP.
    path("", include("loket.opendata.urls")),
    path("", include("loket.portal.urls")),
]
