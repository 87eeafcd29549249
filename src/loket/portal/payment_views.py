"""The bill on the tracking page, and the demo provider's "pay" page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from loket.cases.models import Case
from loket.core.errors import LoketError
from loket.payments import selectors as payment_selectors
from loket.payments import services as payment_services
from loket.payments.models import BillStatus
from loket.payments.providers import DemoProvider, is_enabled
from loket.portal import access, presenters


def bill_context(case: Case, language: str) -> dict[str, Any]:
    """What the tracking page shows of the case's bill (nothing when there is none)."""
    bill = payment_selectors.bill_of_case(case)
    if bill is None:
        return {"bill": None}
    return {
        "bill": bill,
        "bill_amount": presenters.rupiah(bill.amount),
        "bill_instructions": payment_selectors.instructions(case, bill, language),
        "bill_is_waiting": bill.status == BillStatus.WAITING,
        "demo_payments": is_enabled(DemoProvider.code),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def demo_pay(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """A stand-in for a bank's payment page; only with the demo provider enabled, and only
    for a visitor who may see the case (the bill paid is always that case's own)."""
    case = access.case_for_request(request, tracking_number)
    if case is None or not is_enabled(DemoProvider.code):
        raise Http404(_("No such application."))
    bill = payment_selectors.bill_of_case(case)
    if bill is None or bill.status != BillStatus.WAITING:
        messages.info(request, _("This application has no bill waiting for payment."))
        return redirect("portal:track", tracking_number=case.tracking_number)
    if request.method == "POST":
        try:
            payment_services.pay_in_demo(billing_code=bill.billing_code)
        except LoketError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Payment received. Thank you."))
        return redirect("portal:track", tracking_number=case.tracking_number)
    return render(
        request,
        "portal/demo_pay.html",
        {"case": case, "bill": bill, "bill_amount": presenters.rupiah(bill.amount)},
    )
