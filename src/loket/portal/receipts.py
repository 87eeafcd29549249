"""The printable receipt (bukti pendaftaran) of an application, for whoever may see the case."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from loket.cases.models import Case
from loket.cases.selectors import track_url
from loket.catalog.definitions import ServiceDefinition, compiled
from loket.catalog.rules import fee_for
from loket.core.errors import LoketError
from loket.documents.receipt import ReceiptContent, render_receipt
from loket.portal import access, journey, presenters
from loket.portal.templatetags.agency_time import in_agency_zone


@never_cache
@require_GET
def receipt_pdf(request: HttpRequest, tracking_number: str) -> HttpResponse:
    case = access.case_for_request(request, tracking_number)
    if case is None:
        raise Http404(_("No such application."))
    with translation.override("id"):
        content = receipt_content(case)
    response = HttpResponse(render_receipt(content), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bukti-pendaftaran-{case.tracking_number}.pdf"'
    )
    return response


def receipt_content(case: Case) -> ReceiptContent:
    # Printed in Indonesian whatever the page language: it is shown at the office counter.
    definition = compiled(case.service_version)
    steps = journey.journey(case, definition, "id").steps
    agency = case.agency
    return ReceiptContent(
        agency_name=agency.name,
        unit_name=case.service.unit.name,
        tracking_number=case.tracking_number,
        service_name=case.service.name,
        applicant_name=case.applicant_name,
        submitted_at=in_agency_zone(case.submitted_at, agency),
        due_by=in_agency_zone(case.due_at, agency) if case.due_at else "",
        # The addresses the mail links use: the public one, not whatever host was asked.
        track_url=track_url(case),
        recover_url=f"{settings.PUBLIC_BASE_URL}{reverse('portal:recover_code')}",
        next_steps=[
            (step.name, " · ".join(part for part in (step.who, step.time) if part))
            for step in steps
            if step.state in {"current", "upcoming"}
        ],
        fee=_fee(definition, case),
        contact=" · ".join(part for part in (agency.phone, agency.email, agency.website) if part),
        crest_png=bytes(agency.crest_png or b""),
    )


def _fee(definition: ServiceDefinition, case: Case) -> str:
    try:
        amount = fee_for(definition.raw, case.data)
    except LoketError:
        return ""
    return "Gratis" if definition.fee.is_free else presenters.rupiah(amount)
