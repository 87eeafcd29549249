"""The public Kinerja Layanan page: per agency and service, no officer-level data."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from loket.core.errors import ValidationError
from loket.insights import charts, dashboard, exports
from loket.org.models import Agency

attachment = exports.attachment


@require_GET
def public_performance(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise Http404
    today = timezone.localdate()
    try:
        month = dashboard.parse_month(request.GET.get("bulan"), today=today)
    except ValidationError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc}")
    services = dashboard.public_performance(agency_id=agency.pk, month=month)
    handling = dashboard.public_complaint_handling(agency_id=agency.pk, month=month)
    if request.GET.get("format"):
        try:
            download = exports.export(
                exports.public_sheets(services, handling),
                fmt=request.GET["format"],
                table=request.GET.get("tabel", ""),
                stem=f"kinerja-{agency.code}-{month:%Y-%m}",
            )
        except ValidationError as exc:
            return HttpResponseBadRequest(f"{exc.field}: {exc}")
        return attachment(download)
    blocks = [
        {
            "item": item,
            "table": list(zip(item.months, item.rows, strict=True)),
            "chart": charts.bar_chart(
                [
                    charts.Point(m.strftime("%m/%y"), row.sla_percent if row else None)
                    for m, row in zip(item.months, item.rows, strict=True)
                ],
                title=f"{item.service} – SLA %",
                maximum=100.0,
            ),
        }
        for item in services
    ]
    complaint_units = [
        {"unit": item.unit, "table": list(zip(item.months, item.rows, strict=True))}
        for item in handling
    ]
    context = {
        "export_tables": [(s.name, s.title) for s in exports.public_sheets(services, handling)],
        "agency": agency,
        "blocks": blocks,
        "month": month,
        "complaint_units": complaint_units,
    }
    return render(request, "insights/public.html", context)
