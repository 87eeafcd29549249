"""Read-only queries about bills, for the portal, the API and the engine's edges."""

from __future__ import annotations

from typing import Any

from loket.payments.models import Bill, BillStatus


def bill_of_case(case: Any) -> Bill | None:
    """The bill to show with a case: the one waiting, else the latest (paid, expired...)."""
    bills = list(Bill.objects.filter(case=case).order_by("-issued_at", "-pk")[:5])
    waiting = [b for b in bills if b.status == BillStatus.WAITING]
    return waiting[0] if waiting else (bills[0] if bills else None)


def instructions(case: Any, bill: Bill, language: str) -> str:
    """The payment step's "how to pay" text in the applicant's language."""
    from loket.catalog.definitions import compiled
    from loket.catalog.fields import localized

    definition = compiled(case.service_version)
    if not definition.has_step(bill.step_id):
        return ""
    return localized(definition.step(bill.step_id).get("instructions"), language)
