"""Officer pages for the satisfaction survey: the unit head's report and the counter kiosk.

The head of a unit (and of the units above it) sees the report, reviews
suggestions, publishes the index and exports; any officer serving in the
unit may open its kiosk on a counter device.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket.catalog.models import Service
from loket.core.formats import ui_language
from loket.org.models import Unit
from loket.surveys import exports, ikm, presenters, selectors, services
from loket.surveys.forms import PeriodForm, SurveyForm, form_error
from loket.surveys.models import Response, SuggestionStatus, SurveyPeriod
from loket.workspace.decorators import current_officer, officer_required


def _period(request: HttpRequest, period_id: int, *, kiosk: bool = False) -> SurveyPeriod:
    """The period if this officer may see it; 404 otherwise (its existence is not confirmed)."""
    officer = current_officer(request)
    now = timezone.now()
    units = (
        selectors.units_served_by(officer, at=now)
        if kiosk
        else selectors.units_led_by(officer, at=now)
    )
    period = (
        SurveyPeriod.objects.select_related("unit", "service")
        .filter(pk=period_id, unit_id__in=units)
        .first()
    )
    if period is None:
        raise Http404(_("There is no such survey period among your units."))
    return period


def _period_form(units: frozenset[int], data: Any = None) -> PeriodForm:
    return PeriodForm(
        data,
        units=list(Unit.objects.filter(pk__in=units).order_by("name")),
        services=list(Service.objects.filter(unit_id__in=units, is_active=True).order_by("name")),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@officer_required
def periods(request: HttpRequest) -> HttpResponse:
    """The periods of the officer's units; heads of units also define new ones here."""
    officer = current_officer(request)
    units = selectors.units_led_by(officer, at=timezone.now())
    form = _period_form(units, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not units:
            raise Http404(_("Only the head of a unit defines its survey periods."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                period = services.define_period(
                    unit=Unit.objects.get(pk=data["unit"]),
                    service_id=data["service"],
                    code=data["code"],
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    population=data["population"],
                )
            except services.SurveyError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request, _("Survey period %(name)s defined.") % {"name": period.name}
                )
                return redirect("workspace:survey_periods")
    served = selectors.units_served_by(officer, at=timezone.now())
    found = (
        SurveyPeriod.objects.filter(unit_id__in=units | served)
        .select_related("unit", "service")
        .order_by("unit__name", "-starts_on")
    )
    rows = [{"period": p, "may_report": p.unit_id in units} for p in found]
    status = 422 if form.is_bound else 200
    context = {"rows": rows, "form": form if units else None}
    return render(request, "surveys/periods.html", context, status=status)


@never_cache
@require_GET
@officer_required
def report(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    language = ui_language()
    rules = selectors.rules()
    current = selectors.report(period)
    siblings = SurveyPeriod.objects.filter(unit=period.unit, service=period.service)
    history = selectors.trend(list(siblings))
    series = [(r.period.name, r.result.ikm) for r in history if r.result.ikm is not None]
    context: dict[str, Any] = {
        "period": period,
        "report": current,
        "rows": presenters.element_rows(current.result, rules, language),
        "words": presenters.words(current.result.grade, language),
        "lowest": [
            presenters.element_rows(current.result, rules, language)[
                rules.display_order.index(e.code)
            ]
            for e in current.result.lowest
        ],
        "pending": list(selectors.suggestions(period, status=SuggestionStatus.PENDING)[:50]),
        "reviewed": list(
            selectors.suggestions(period).exclude(suggestion_status=SuggestionStatus.PENDING)[:50]
        ),
        "published": period.results.first(),
        **presenters.trend_context(series),
    }
    return render(request, "surveys/report.html", context)


@require_POST
@officer_required
def review(request: HttpRequest, period_id: int, response_id: int) -> HttpResponse:
    period = _period(request, period_id)
    decision = request.POST.get("decision")
    if decision not in ("publish", "hide"):
        return HttpResponse(_("decision: choose publish or hide."), status=400)
    try:
        services.review_suggestion(
            response_id=response_id, period=period, publish=decision == "publish"
        )
    except Response.DoesNotExist as error:
        raise Http404(_("There is no such response in this period.")) from error
    except services.SurveyError as error:
        return HttpResponse(error.message, status=error.status)
    return redirect("workspace:survey_report", period_id=period.pk)


@require_POST
@officer_required
def publish(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    try:
        result = services.publish_result(period=period, user=request.user)  # type: ignore[arg-type]
    except services.SurveyError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Published: IKM %(ikm)s, grade %(grade)s.")
            % {"ikm": result.ikm, "grade": result.grade},
        )
    return redirect("workspace:survey_report", period_id=period.pk)


@never_cache
@require_GET
@officer_required
def export(request: HttpRequest, period_id: int, format: str) -> HttpResponse:
    period = _period(request, period_id)
    name = f"skm-{period.unit.code}-{period.code}"
    if format == "pdf":
        body = exports.report_pdf(selectors.report(period), selectors.rules())
        return _download(body, "application/pdf", f"{name}.pdf")
    responses = list(period.responses.order_by("pk"))
    if format == "csv":
        return _download(exports.responses_csv(responses), "text/csv", f"{name}.csv")
    if format == "xlsx":
        return _download(
            exports.responses_xlsx(responses),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{name}.xlsx",
        )
    raise Http404(_("format: choose pdf, csv or xlsx."))


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@officer_required
def kiosk(request: HttpRequest, period_id: int) -> HttpResponse:
    """The questionnaire on a counter device: each submission is one walk-in respondent."""
    period = _period(request, period_id, kiosk=True)
    language = ui_language()
    posted = request.method == "POST"
    form = SurveyForm(request.POST if posted else None, rules=selectors.rules(), language=language)
    status = 200
    if posted:
        if form.is_valid():
            try:
                services.respond_at_kiosk(
                    period=period,
                    answers=form.cleaned_data,
                    profile=form.cleaned_data,
                    suggestion=form.cleaned_data["suggestion"],
                )
            except (services.SurveyError, ikm.RatingError) as error:
                form_error(form, error)
            else:
                return redirect(f"{request.path}?terima-kasih=1")
        status = 422
    unit = period.unit
    context = {
        "form": form,
        "unit_name": unit.name_en if language == "en" and unit.name_en else unit.name,
        "thanked": request.GET.get("terima-kasih") == "1",
    }
    return render(request, "surveys/kiosk.html", context, status=status)
