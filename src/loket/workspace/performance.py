"""The head of a unit's performance dashboard (figures from loket.insights)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from loket.cases import policy
from loket.core.errors import ValidationError
from loket.insights import charts, dashboard, selectors, xes
from loket.insights.models import MonthlyRollup
from loket.org.models import Unit
from loket.workspace.decorators import current_officer, officer_required


@officer_required
@require_GET
def unit_performance(request: HttpRequest) -> HttpResponse:
    """Tiles, trends, services, bottlenecks, queues and fiktif-positif cases of one headed unit."""
    officer = current_officer(request)
    now = timezone.now()
    reach = policy.reach_of(officer, now)
    if not policy.may_supervise(reach):
        return render(request, "workspace/not_head.html", status=403)
    try:
        month = dashboard.parse_month(request.GET.get("bulan"), today=timezone.localdate(now))
        unit_id = int(request.GET.get("unit") or min(reach.headed_unit_ids))
    except ValidationError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc}")
    except ValueError:
        return HttpResponseBadRequest("unit: not a number")
    if unit_id not in reach.headed_unit_ids:
        return render(request, "workspace/not_head.html", status=403)
    board = dashboard.unit_dashboard(
        unit_id=unit_id, agency_id=officer.agency_id, month=month, now=now
    )
    labels = [m.strftime("%m/%y") for m in board.trend_months]

    def points(value: Callable[[MonthlyRollup], float | None]) -> list[charts.Point]:
        return [
            charts.Point(label, value(row) if row else None)
            for label, row in zip(labels, board.trend, strict=True)
        ]

    sla_target = next((t.target for t in board.tiles if t.indicator == "sla"), None)
    context = {
        "board": board,
        "unit": Unit.objects.get(pk=unit_id),
        "units": Unit.objects.filter(pk__in=reach.headed_unit_ids).order_by("name"),
        "trend": list(zip(board.trend_months, board.trend, strict=True)),
        "volume_chart": charts.bar_chart(
            points(lambda r: r.decided),
            title=_("Applications decided per month"),
        ),
        "sla_chart": charts.bar_chart(
            points(lambda r: r.sla_percent),
            title=_("SLA compliance per month (%)"),
            target=float(sla_target.value) if sla_target else None,
            maximum=100.0,
        ),
        "median_chart": charts.bar_chart(
            points(lambda r: r.median_days),
            title=_("Median working days per month"),
        ),
        "now": now,
    }
    return render(request, "workspace/performance.html", context)


@officer_required
@require_GET
def event_log_xes(request: HttpRequest) -> HttpResponseBase:
    """The event log of a headed unit as XES (positions only, no personal data)."""
    officer = current_officer(request)
    now = timezone.now()
    reach = policy.reach_of(officer, now)
    if not policy.may_supervise(reach):
        return render(request, "workspace/not_head.html", status=403)
    try:
        unit_id = int(request.GET.get("unit") or min(reach.headed_unit_ids))
        text = request.GET.get("bulan")
        month = dashboard.parse_month(text, today=timezone.localdate(now)) if text else None
    except ValidationError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc}")
    except ValueError:
        return HttpResponseBadRequest("unit: not a number")
    if unit_id not in reach.headed_unit_ids:
        return render(request, "workspace/not_head.html", status=403)
    period = selectors.month_period(month) if month else None
    response = StreamingHttpResponse(
        xes.write(selectors.event_log(unit_id=unit_id, period=period)),
        content_type="application/xml; charset=utf-8",
    )
    suffix = f"-{month:%Y-%m}" if month else ""
    response["Content-Disposition"] = f'attachment; filename="event-log-unit-{unit_id}{suffix}.xes"'
    return response
