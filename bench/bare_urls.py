"""The real site's URLs plus `/bench/bare/` (see bare_settings.py)."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare/", bare), path("", include("loket.urls"))]
