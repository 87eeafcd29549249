"""Public survey pages: answering through a case's link, and each unit's published IKM."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from loket.core.formats import ui_language
from loket.org.models import Unit
from loket.surveys import ikm, presenters, selectors, services
from loket.surveys.forms import SurveyForm, form_error
from loket.surveys.models import Result


def _problem(request: HttpRequest, error: services.SurveyError) -> HttpResponse:
    return render(
        request,
        "surveys/message.html",
        {"heading": _("Satisfaction survey"), "text": error.message},
        status=error.status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind the link in a closed case's last message; one answer per link."""
    try:
        invitation = services.invitation_for(token, now=timezone.now())
    except services.SurveyError as error:
        return _problem(request, error)
    language = ui_language()
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        rules=selectors.rules(),
        language=language,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.respond_by_link(
                    token=token,
                    answers=form.cleaned_data,
                    profile=form.cleaned_data,
                    suggestion=form.cleaned_data["suggestion"],
                )
            except services.SurveyError as error:
                if error.status in (404, 409, 410):
                    return _problem(request, error)
                form_error(form, error)
            except ikm.RatingError as error:
                form_error(form, error)
            else:
                return redirect("portal:survey_thanks")
        status = 422
    unit = invitation.period.unit
    name = unit.name_en if language == "en" and unit.name_en else unit.name
    return render(request, "surveys/respond.html", {"form": form, "unit_name": name}, status=status)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/message.html",
        {
            "heading": _("Thank you"),
            "text": _("Your answers were recorded anonymously. They help the unit improve."),
        },
    )


@require_GET
def public_index(
    request: HttpRequest, agency: str, unit: str, service: str | None = None
) -> HttpResponse:
    """The published IKM of a unit (or one of its services) with its trend: no personal data."""
    found = Unit.objects.filter(agency__code=agency, code=unit).select_related("agency").first()
    if found is None:
        raise Http404(_("There is no such unit."))
    service_obj = None
    if service is not None:
        service_obj = found.services.filter(code=service).first()
        if service_obj is None:
            raise Http404(_("There is no such service in this unit."))
    language = ui_language()
    results = selectors.published_results(
        unit=found, service_id=service_obj.pk if service_obj else None
    )
    latest: Result | None = results[-1] if results else None
    unit_name = found.name_en if language == "en" and found.name_en else found.name
    title = unit_name
    if service_obj is not None:
        english = language == "en" and service_obj.name_en
        title = f"{unit_name} — {service_obj.name_en if english else service_obj.name}"
    context: dict[str, Any] = {
        "title": title,
        "latest": latest,
        "latest_words": presenters.words(
            ikm.grade_of(latest.ikm, selectors.rules()) if latest else None, language
        ),
        "suggestions": list(selectors.published_suggestions(latest.period)[:20]) if latest else [],
        **presenters.trend_context([(r.period.name, r.ikm) for r in results]),
    }
    return render(request, "surveys/public.html", context)
