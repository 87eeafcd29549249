"""The page after a failed CSRF check (settings.CSRF_FAILURE_VIEW), for the whole site.

A failed check almost always means the browser lost its cookies or the page sat
open past the session: the person did nothing wrong. On a page of the application
form the same page comes back with what was typed in it; files chosen on that page
are not stored (the request may be forged, so nothing from it is kept), and the
answers of earlier pages wait in the saved draft. Elsewhere a branded page says
what happened and how to go on. Django's page ("DEBUG = True" hints) never shows.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # Django has logged the failure (django.security.csrf) before calling this view.
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and match.view_name == "portal:apply_step":
        from loket.portal.apply_views import after_lost_session

        return after_lost_session(request, **match.kwargs)
    if match is not None and match.view_name == "portal:apply":
        from loket.portal.apply_views import after_lost_session

        return after_lost_session(request, number=0, **match.kwargs)
    # Only our own path goes in the link: a GET of the same page is always safe.
    retry = request.path if request.method == "POST" and request.path.startswith("/") else ""
    return render(request, "csrf_failure.html", {"retry_url": retry}, status=403)
