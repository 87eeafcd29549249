"""The head of a unit's performance dashboard (figures from loket.insights)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loket.cases import policy
from loket.core.errors import ValidationError
from loket.insights import charts, dashboard, exports, jobs, selectors, skp, xes
from loket.insights.exports import attachment
from loket.insights.models import ExportJob, ExportKind, ExportStatus, MonthlyRollup
from loket.org.models import Officer, Unit
from loket.workspace.decorators import current_officer, officer_required

INSPECTORATE = "insights.view_all_dashboards"


def readable_units(request: HttpRequest, officer: Officer, reach: policy.Reach) -> frozenset[int]:
    """The units whose dashboard the officer may read: those they head (with sub-units) and,
    for the inspectorate, every unit of their agency. Reading never gives a power to act."""
    if request.user.has_perm(INSPECTORATE):
        units = Unit.objects.filter(agency_id=officer.agency_id).values_list("pk", flat=True)
        return reach.headed_unit_ids | frozenset(units)
    return reach.headed_unit_ids


@officer_required
@require_GET
def unit_performance(request: HttpRequest) -> HttpResponse:  # noqa: PLR0911
    """Tiles, trends, services, bottlenecks, queues and fiktif-positif cases of one unit,
    for its heads and the inspectorate."""
    officer = current_officer(request)
    now = timezone.now()
    reach = policy.reach_of(officer, now)
    readable = readable_units(request, officer, reach)
    if not readable:
        return render(request, "workspace/not_head.html", status=403)
    try:
        month = dashboard.parse_month(request.GET.get("bulan"), today=timezone.localdate(now))
        unit_id = int(request.GET.get("unit") or min(reach.headed_unit_ids or readable))
    except ValidationError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc}")
    except ValueError:
        return HttpResponseBadRequest("unit: not a number")
    if unit_id not in readable:
        return render(request, "workspace/not_head.html", status=403)
    board = dashboard.unit_dashboard(
        unit_id=unit_id, agency_id=officer.agency_id, month=month, now=now
    )
    if request.GET.get("format"):
        try:
            download = exports.export(
                exports.dashboard_sheets(board),
                fmt=request.GET["format"],
                table=request.GET.get("tabel", ""),
                stem=f"kinerja-unit-{unit_id}-{month:%Y-%m}",
            )
        except ValidationError as exc:
            return HttpResponseBadRequest(f"{exc.field}: {exc}")
        return attachment(download)
    labels = [m.strftime("%m/%y") for m in board.trend_months]

    def points(value: Callable[[MonthlyRollup], float | None]) -> list[charts.Point]:
        return [
            charts.Point(label, value(row) if row else None)
            for label, row in zip(labels, board.trend, strict=True)
        ]

    sla_target = next((t.target for t in board.tiles if t.indicator == "sla"), None)
    # People are for superiors only (dialogue, not supervision): not for the inspectorate.
    is_superior = unit_id in reach.headed_unit_ids
    people = dashboard.people(unit_id=unit_id, month=month) if is_superior else []
    context = {
        "people": people,
        "is_superior": is_superior,
        "me_id": officer.pk,
        "export_tables": [(s.name, s.title) for s in exports.dashboard_sheets(board)],
        "board": board,
        "unit": Unit.objects.get(pk=unit_id),
        "units": Unit.objects.filter(pk__in=readable).order_by("name"),
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
    """The event log of a unit as XES (positions only, no personal data), for its heads and
    the inspectorate."""
    officer = current_officer(request)
    now = timezone.now()
    reach = policy.reach_of(officer, now)
    readable = readable_units(request, officer, reach)
    if not readable:
        return render(request, "workspace/not_head.html", status=403)
    try:
        unit_id = int(request.GET.get("unit") or min(reach.headed_unit_ids or readable))
        text = request.GET.get("bulan")
        month = dashboard.parse_month(text, today=timezone.localdate(now)) if text else None
    except ValidationError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc}")
    except ValueError:
        return HttpResponseBadRequest("unit: not a number")
    if unit_id not in readable:
        return render(request, "workspace/not_head.html", status=403)
    period = selectors.month_period(month) if month else None
    response = StreamingHttpResponse(
        xes.write(selectors.event_log(unit_id=unit_id, period=period)),
        content_type="application/xml; charset=utf-8",
    )
    suffix = f"-{month:%Y-%m}" if month else ""
    response["Content-Disposition"] = f'attachment; filename="event-log-unit-{unit_id}{suffix}.xes"'
    return response


@officer_required
@require_GET
def officer_evidence(request: HttpRequest, officer_id: int, fmt: str) -> HttpResponseBase:
    """SKP evidence of one officer and month, CSV or signed PDF: for their superiors only."""
    if fmt not in ("csv", "pdf"):
        raise Http404
    superior = current_officer(request)
    now = timezone.now()
    reach = policy.reach_of(superior, now)
    subject = Officer.objects.filter(pk=officer_id).first()
    if subject is None or not skp.is_superior(
        superior=superior, officer=subject, headed_unit_ids=reach.headed_unit_ids
    ):
        return render(request, "workspace/not_head.html", status=403)
    try:
        month = dashboard.parse_month(request.GET.get("bulan"), today=timezone.localdate(now))
    except ValidationError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc}")
    item = skp.evidence(officer=subject, period=selectors.month_period(month), month=month)
    stem = f"bukti-skp-{subject.nip}-{month:%Y-%m}"
    if fmt == "csv":
        body, content_type = skp.to_csv(item), "text/csv; charset=utf-8"
    else:
        agency = subject.agency
        body = skp.signed_pdf(item, agency_code=agency.code, agency_name=agency.name, now=now)
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


# -- downloads prepared by the worker ------------------------------------------------------


@officer_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:  # noqa: PLR0911
    """Ask the worker for a long download (the dashboard's XLSX, the XES log, a signed SKP
    PDF), with the same rules as the direct links; then follow its progress."""
    officer = current_officer(request)
    now = timezone.now()
    reach = policy.reach_of(officer, now)
    kind = request.POST.get("kind", "")
    if kind not in ExportKind.values:
        return HttpResponseBadRequest("kind: " + ", ".join(ExportKind.values))
    text = request.POST.get("bulan", "")
    try:
        month = dashboard.parse_month(text, today=timezone.localdate(now)) if text else None
    except ValidationError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc}")
    params: dict[str, object] = {"bulan": f"{month:%Y-%m}" if month else ""}
    if kind == ExportKind.SKP_PDF:
        try:
            subject = Officer.objects.filter(pk=int(request.POST.get("officer", ""))).first()
        except ValueError:
            return HttpResponseBadRequest("officer: not a number")
        if subject is None or not skp.is_superior(
            superior=officer, officer=subject, headed_unit_ids=reach.headed_unit_ids
        ):
            return render(request, "workspace/not_head.html", status=403)
        params["officer"] = subject.pk
    else:
        readable = readable_units(request, officer, reach)
        try:
            unit_id = int(request.POST.get("unit", ""))
        except ValueError:
            return HttpResponseBadRequest("unit: not a number")
        if unit_id not in readable:
            return render(request, "workspace/not_head.html", status=403)
        params["unit"] = unit_id
    job = jobs.request_export(owner=officer, kind=kind, params=params)
    return redirect("workspace:export_job", job_id=job.pk, permanent=False)


def _own_job(request: HttpRequest, job_id: int) -> ExportJob:
    """The job, for the officer who asked only (anyone else: 404, nothing to learn)."""
    job = ExportJob.objects.filter(pk=job_id, owner=current_officer(request)).first()
    if job is None:
        raise Http404
    return job


@officer_required
@require_GET
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress of a prepared download; without scripts the page reloads itself."""
    job = _own_job(request, job_id)
    response = render(request, "workspace/export_job.html", {"job": job})
    response["Cache-Control"] = "private, no-store"
    return response


@officer_required
@require_GET
def export_job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    """The progress as JSON, for the page's progress bar."""
    job = _own_job(request, job_id)
    response = JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "download": reverse("workspace:export_file", args=[job.pk])
            if job.status == ExportStatus.DONE
            else None,
            "error": job.error,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


@officer_required
@require_GET
def export_file(request: HttpRequest, job_id: int) -> HttpResponseBase:
    """The prepared file; before it is ready, back to its progress page."""
    job = _own_job(request, job_id)
    path = jobs.file_of(job)
    if path is None:
        if job.status == ExportStatus.DONE:  # the file was cleaned up meanwhile
            raise Http404
        return redirect("workspace:export_job", job_id=job.pk)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=job.filename, content_type=job.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
