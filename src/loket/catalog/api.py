"""Public API of the service catalogue."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from loket.catalog.models import Service

router = Router(tags=["services"])


class ServiceSummary(Schema):
    code: str
    name: str
    name_en: str
    agency: str


@router.get("", response=list[ServiceSummary], summary="Published services")
def list_services(request: HttpRequest) -> list[ServiceSummary]:
    services = Service.objects.filter(is_active=True, versions__isnull=False).distinct()
    return [
        ServiceSummary(code=s.code, name=s.name, name_en=s.name_en, agency=s.agency.name)
        for s in services.select_related("agency")
    ]
