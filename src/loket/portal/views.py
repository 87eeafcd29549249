"""Applicant-facing pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from loket.catalog.models import Service


def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    services = Service.objects.filter(is_active=True, versions__isnull=False).distinct()
    if query:
        services = services.filter(name__icontains=query) | services.filter(
            name_en__icontains=query
        )
    return render(
        request,
        "portal/home.html",
        {"services": services.select_related("agency", "unit").order_by("name"), "query": query},
    )
